import { createFrame, subscribeInto, type Panel } from '../panel';
import { label, num, pct, time, tone } from '../format';
import { DashFundingDocument } from '../gql/graphql';
import { statsHtml } from './stats';

/** Funding: the current and predicted rate, annualised, its z-score against recent settlements, trend and signal. */
export function createFundingPanel(): Panel {
  const frame = createFrame('funding', 'Funding');
  return {
    frame,
    open(symbol, live) {
      frame.body.innerHTML = '';
      return subscribeInto(frame, live, DashFundingDocument, { symbol }, (data) => {
        const f = data.fundingUpdated;
        frame.provenance('funding', f.meta);
        frame.body.innerHTML = statsHtml(
          { text: label(f.signal), cls: tone(f.signal) },
          [
            ['rate', pct(f.rate * 100, 4)],
            ['predicted', f.predictedRate == null ? '–' : pct(f.predictedRate * 100, 4)],
            ['annualised', pct(f.annualizedRate * 100, 1)],
            ['z-score', num(f.zScore, 2), f.isExtreme ? 'down' : ''],
            ['trend', label(f.trend)],
            ['next funding', `${time(f.nextFundingTime)} UTC`],
          ],
          f.warmingUp ? 'warming up: few settlements yet' : undefined,
        );
      });
    },
  };
}
