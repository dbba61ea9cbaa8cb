/**
 * SLO ids for imported names. obsgen names an SLO's alerts `<Id>BudgetBurn` and keeps alert names
 * to 40 characters (they title notifications and name runbook files), so a long imported name
 * (`prometheus-operator-reconcile-errors`) loses leading words until its alert name fits
 * (`operator-reconcile-errors`), staying unique within the service.
 */
import { burnAlertName } from '../conventions.ts';

/** Longest alert name the rule conventions accept. */
export const MAX_ALERT_NAME = 40;

/** The id for `name`: unchanged when its alert names fit, else its shortest fitting tail not in `taken`. */
export function fittingSloId(name: string, taken: ReadonlySet<string>): string {
  const fits = (id: string) => burnAlertName(id).length <= MAX_ALERT_NAME && !taken.has(id);
  if (fits(name)) return name;
  const words = name.split('-');
  for (let i = 1; i < words.length; i++) {
    const tail = words.slice(i).join('-');
    if (fits(tail)) return tail;
  }
  return name;
}
