import { esc } from '../format';

/** A headline (signal) and rows of label → value, the body of the small derivative panels. */
export function statsHtml(signal: { text: string; cls: string; testid?: string }, rows: Array<[string, string, string?]>, note?: string): string {
  return `<div class="big ${signal.cls}"${signal.testid ? ` data-testid="${signal.testid}"` : ''}>${esc(signal.text)}</div>
    ${rows.map(([k, v, cls]) => `<div class="kv"><span>${esc(k)}</span><b class="${cls ?? ''}">${esc(v)}</b></div>`).join('')}
    ${note ? `<p class="note">${esc(note)}</p>` : ''}`;
}
