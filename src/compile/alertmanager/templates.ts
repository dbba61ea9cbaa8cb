/**
 * Notification templates (Go templates, read by Alertmanager). Receivers reference them by name,
 * so every notification carries the alert's summary, description, runbook and dashboard links.
 */
import { GENERATED_HEADER } from '../../conventions.ts';

/** Prefix of the notification template names defined in the templates file. */
const T = 'obsgen';

/** Names of the templates defined in the file, as receivers reference them. */
export const TEMPLATE = {
  title: `${T}.title`,
  slackText: `${T}.slack.text`,
  slackColor: `${T}.slack.color`,
  pagerdutyDescription: `${T}.pagerduty.description`,
  emailSubject: `${T}.email.subject`,
  emailHtml: `${T}.email.html`,
} as const;

/** `{{ template "name" . }}`: how a receiver field uses a template of the file. */
export const useTemplate = (name: string): string => `{{ template "${name}" . }}`;

/** Text of the templates file. */
export function notificationTemplates(): string {
  return `{{/* ${GENERATED_HEADER}. */}}
{{/* Title: status, number firing, alert name, service and environment. */}}
{{ define "${TEMPLATE.title}" -}}
[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ if .CommonLabels.alertname }}{{ .CommonLabels.alertname }}{{ else }}{{ len .Alerts }} alerts{{ end }} ({{ .CommonLabels.service }}, {{ .CommonLabels.environment }})
{{- end }}

{{/* Slack: one paragraph per alert with its runbook and dashboard. */}}
{{ define "${TEMPLATE.slackText}" -}}
{{ range .Alerts -}}
{{ if eq .Status "firing" }}:red_circle:{{ else }}:large_green_circle:{{ end }} *{{ .Annotations.summary }}*
{{ .Annotations.description }}
{{ if .Annotations.runbook_url }}<{{ .Annotations.runbook_url }}|Runbook>{{ end }}{{ if .Annotations.dashboard_url }} | <{{ .Annotations.dashboard_url }}|Dashboard>{{ end }}
{{ end -}}
{{- end }}

{{ define "${TEMPLATE.slackColor}" -}}
{{ if eq .Status "firing" }}{{ if eq .CommonLabels.severity "critical" }}danger{{ else }}warning{{ end }}{{ else }}good{{ end }}
{{- end }}

{{/* PagerDuty: the title, details go into custom_details. */}}
{{ define "${TEMPLATE.pagerdutyDescription}" -}}
{{ template "${TEMPLATE.title}" . }}: {{ .CommonAnnotations.summary }}
{{- end }}

{{/* Email digest: every alert of the group, newest state first. */}}
{{ define "${TEMPLATE.emailSubject}" -}}
[{{ .CommonLabels.environment }}] {{ .CommonLabels.service }}: {{ .Alerts.Firing | len }} firing, {{ .Alerts.Resolved | len }} resolved
{{- end }}

{{ define "${TEMPLATE.emailHtml}" -}}
<!DOCTYPE html>
<html>
<body>
<h2>{{ template "${TEMPLATE.emailSubject}" . }}</h2>
<ul>
{{ range .Alerts -}}
<li><strong>{{ .Labels.alertname }}</strong> ({{ .Labels.severity }}, {{ .Status }}): {{ .Annotations.summary }}<br>
{{ .Annotations.description }}<br>
{{ if .Annotations.runbook_url }}<a href="{{ .Annotations.runbook_url }}">Runbook</a>{{ end }}{{ if .Annotations.dashboard_url }} | <a href="{{ .Annotations.dashboard_url }}">Dashboard</a>{{ end }}</li>
{{ end -}}
</ul>
</body>
</html>
{{- end }}
`;
}
