import { createFrame, subscribeInto, type Panel } from '../panel';
import { esc, fraction, label, num } from '../format';
import { DashEmergencyDocument, type DashEmergencySubscription } from '../gql/graphql';

export type EmergencyState = DashEmergencySubscription['emergencyUpdated'];

const LEVEL_CLASS: Record<string, string> = { NORMAL: 'up', ELEVATED: 'warn', EMERGENCY: 'down' };

/**
 * Emergency protocol of the open symbol: the level (NORMAL, ELEVATED, EMERGENCY), the triggered checks with
 * value against threshold, the advice lines (advice, never orders), the checks that could not run and why,
 * and stale inputs. `onLevel` gets every result, for the page banner and the event tape.
 */
export function createEmergencyPanel(onLevel: (symbol: string, state: EmergencyState) => void): Panel {
  const frame = createFrame('emergency', 'Emergency protocol');
  return {
    frame,
    open(symbol, live) {
      frame.body.innerHTML = '';
      return subscribeInto(frame, live, DashEmergencyDocument, { symbol }, (data) => {
        const e = data.emergencyUpdated;
        frame.provenance('emergency', e.meta);
        onLevel(symbol, e);
        const triggers = e.triggers.length
          ? `<ul class="triggers">${e.triggers
              .map((t) => `<li class="${LEVEL_CLASS[t.level] ?? 'muted'}"><b>${esc(label(t.type))}</b> ${esc(num(t.value, 4))} vs ${esc(num(t.threshold, 4))}${t.windowMinutes ? ` · ${t.windowMinutes} min` : ''}<br><span class="muted">${esc(t.note)}</span></li>`)
              .join('')}</ul>`
          : '<p class="muted">no check triggered</p>';
        const unavailable = e.unavailable.length
          ? `<p class="note">not checked: ${e.unavailable.map((u) => `${esc(label(u.check))} (${esc(u.reason)})`).join('; ')}</p>`
          : '';
        const stale = e.staleInputs.length
          ? `<p class="note down">stale inputs: ${e.staleInputs.map((s) => esc(`${s.type}${s.interval ? ` ${s.interval}` : ''}`)).join(', ')}</p>`
          : '';
        frame.body.innerHTML = `<div class="big ${LEVEL_CLASS[e.level] ?? 'muted'}" data-testid="emergency-level">${esc(label(e.level))}</div>
          <div class="kv"><span>volatility vs baseline</span><b>${e.volatilityRatio == null ? '–' : `${num(e.volatilityRatio, 2)}×`}</b></div>
          <div class="kv"><span>premium (mark vs index)</span><b>${esc(fraction(e.premium, 3))}</b></div>
          <div class="kv"><span>funding per 8 h</span><b>${esc(fraction(e.funding8h, 4))}</b></div>
          <div class="kv"><span>bars</span><b>${esc(e.interval)}</b></div>
          ${triggers}
          <ul class="advice">${e.advice.map((a) => `<li>${esc(a)}</li>`).join('')}</ul>
          ${unavailable}${stale}`;
      });
    },
  };
}
