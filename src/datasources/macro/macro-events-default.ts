import type { MacroEvent, MacroEventImportance } from '../../domain/macro.js';

/**
 * The maintained default macro calendar (README "Macro"): US CPI releases and FOMC statements for 2026 and
 * 2027, times in UTC. Extend or correct it with MACRO_EVENTS_URL (CSV, merged over this list) without a
 * release; edit this file when the publishers announce a new year or a change.
 *
 * FOMC: the Federal Reserve's tentative schedules, "The Committee releases a policy statement at 2 p.m.
 * Eastern Time on the second day of each regularly scheduled meeting" (14:00 ET = 19:00 UTC in winter,
 * 18:00 UTC under US daylight saving, 2026-03-08..11-01 and 2027-03-14..11-07). The March, June, September
 * and December 2026 meetings also publish the Summary of Economic Projections (as the Fed marked them; the
 * 2027 schedule as found does not mark them, so 2027 titles do not claim it). Confirmed against the Fed press
 * releases of 2024-08-09 (2025 and 2026 schedule, with 2027-01-26/27) and 2025-09-05 (2027 schedule).
 *
 * CPI: BLS releases at 8:30 a.m. Eastern Time (13:30 UTC in winter, 12:30 UTC under daylight saving). The
 * dates below are from secondary calendars and could NOT be checked against the BLS schedule from this
 * machine (no internet; secondary sources disagree on a few months): they are `confirmed: false` until
 * someone checks them against https://www.bls.gov/schedule/news_release/cpi.htm. BLS moved releases after
 * the 2025 lapse in appropriations; later moves of that kind are not reflected here.
 */

const FOMC2026 = 'https://www.federalreserve.gov/monetarypolicy/fomccalendars.htm (press release 2024-08-09)';
const FOMC2027 = 'https://www.federalreserve.gov/monetarypolicy/fomccalendars.htm (press release 2025-09-05)';
const CPI = 'secondary calendars; check https://www.bls.gov/schedule/news_release/cpi.htm';

interface DefaultEvent {
  time: string;
  kind: string;
  title: string;
  importance: MacroEventImportance;
  source: string;
  confirmed: boolean;
}

const EVENTS: readonly DefaultEvent[] = [
  { time: '2026-01-14T13:30:00Z', kind: 'CPI', title: 'CPI (December 2025)', importance: 'HIGH', source: CPI, confirmed: false },
  { time: '2026-01-28T19:00:00Z', kind: 'FOMC', title: 'FOMC statement', importance: 'HIGH', source: FOMC2026, confirmed: true },
  { time: '2026-02-12T13:30:00Z', kind: 'CPI', title: 'CPI (January 2026)', importance: 'HIGH', source: CPI, confirmed: false },
  { time: '2026-03-11T12:30:00Z', kind: 'CPI', title: 'CPI (February 2026)', importance: 'HIGH', source: CPI, confirmed: false },
  { time: '2026-03-18T18:00:00Z', kind: 'FOMC', title: 'FOMC statement and Summary of Economic Projections', importance: 'HIGH', source: FOMC2026, confirmed: true },
  { time: '2026-04-10T12:30:00Z', kind: 'CPI', title: 'CPI (March 2026)', importance: 'HIGH', source: CPI, confirmed: false },
  { time: '2026-04-29T18:00:00Z', kind: 'FOMC', title: 'FOMC statement', importance: 'HIGH', source: FOMC2026, confirmed: true },
  { time: '2026-05-13T12:30:00Z', kind: 'CPI', title: 'CPI (April 2026)', importance: 'HIGH', source: CPI, confirmed: false },
  { time: '2026-06-10T12:30:00Z', kind: 'CPI', title: 'CPI (May 2026)', importance: 'HIGH', source: CPI, confirmed: false },
  { time: '2026-06-17T18:00:00Z', kind: 'FOMC', title: 'FOMC statement and Summary of Economic Projections', importance: 'HIGH', source: FOMC2026, confirmed: true },
  { time: '2026-07-14T12:30:00Z', kind: 'CPI', title: 'CPI (June 2026)', importance: 'HIGH', source: CPI, confirmed: false },
  { time: '2026-07-29T18:00:00Z', kind: 'FOMC', title: 'FOMC statement', importance: 'HIGH', source: FOMC2026, confirmed: true },
  { time: '2026-08-12T12:30:00Z', kind: 'CPI', title: 'CPI (July 2026)', importance: 'HIGH', source: CPI, confirmed: false },
  { time: '2026-09-11T12:30:00Z', kind: 'CPI', title: 'CPI (August 2026)', importance: 'HIGH', source: CPI, confirmed: false },
  { time: '2026-09-16T18:00:00Z', kind: 'FOMC', title: 'FOMC statement and Summary of Economic Projections', importance: 'HIGH', source: FOMC2026, confirmed: true },
  { time: '2026-10-13T12:30:00Z', kind: 'CPI', title: 'CPI (September 2026)', importance: 'HIGH', source: CPI, confirmed: false },
  { time: '2026-10-28T18:00:00Z', kind: 'FOMC', title: 'FOMC statement', importance: 'HIGH', source: FOMC2026, confirmed: true },
  { time: '2026-11-12T13:30:00Z', kind: 'CPI', title: 'CPI (October 2026)', importance: 'HIGH', source: CPI, confirmed: false },
  { time: '2026-12-09T19:00:00Z', kind: 'FOMC', title: 'FOMC statement and Summary of Economic Projections', importance: 'HIGH', source: FOMC2026, confirmed: true },
  { time: '2026-12-10T13:30:00Z', kind: 'CPI', title: 'CPI (November 2026)', importance: 'HIGH', source: CPI, confirmed: false },
  { time: '2027-01-13T13:30:00Z', kind: 'CPI', title: 'CPI (December 2026)', importance: 'HIGH', source: CPI, confirmed: false },
  { time: '2027-01-27T19:00:00Z', kind: 'FOMC', title: 'FOMC statement', importance: 'HIGH', source: FOMC2026, confirmed: true },
  { time: '2027-02-10T13:30:00Z', kind: 'CPI', title: 'CPI (January 2027)', importance: 'HIGH', source: CPI, confirmed: false },
  { time: '2027-03-10T13:30:00Z', kind: 'CPI', title: 'CPI (February 2027)', importance: 'HIGH', source: CPI, confirmed: false },
  { time: '2027-03-17T18:00:00Z', kind: 'FOMC', title: 'FOMC statement', importance: 'HIGH', source: FOMC2027, confirmed: true },
  { time: '2027-04-13T12:30:00Z', kind: 'CPI', title: 'CPI (March 2027)', importance: 'HIGH', source: CPI, confirmed: false },
  { time: '2027-04-28T18:00:00Z', kind: 'FOMC', title: 'FOMC statement', importance: 'HIGH', source: FOMC2027, confirmed: true },
  { time: '2027-05-12T12:30:00Z', kind: 'CPI', title: 'CPI (April 2027)', importance: 'HIGH', source: CPI, confirmed: false },
  { time: '2027-06-09T18:00:00Z', kind: 'FOMC', title: 'FOMC statement', importance: 'HIGH', source: FOMC2027, confirmed: true },
  { time: '2027-06-10T12:30:00Z', kind: 'CPI', title: 'CPI (May 2027)', importance: 'HIGH', source: CPI, confirmed: false },
  { time: '2027-07-14T12:30:00Z', kind: 'CPI', title: 'CPI (June 2027)', importance: 'HIGH', source: CPI, confirmed: false },
  { time: '2027-07-28T18:00:00Z', kind: 'FOMC', title: 'FOMC statement', importance: 'HIGH', source: FOMC2027, confirmed: true },
  { time: '2027-08-11T12:30:00Z', kind: 'CPI', title: 'CPI (July 2027)', importance: 'HIGH', source: CPI, confirmed: false },
  { time: '2027-09-15T12:30:00Z', kind: 'CPI', title: 'CPI (August 2027)', importance: 'HIGH', source: CPI, confirmed: false },
  { time: '2027-09-15T18:00:00Z', kind: 'FOMC', title: 'FOMC statement', importance: 'HIGH', source: FOMC2027, confirmed: true },
  { time: '2027-10-13T12:30:00Z', kind: 'CPI', title: 'CPI (September 2027)', importance: 'HIGH', source: CPI, confirmed: false },
  { time: '2027-10-27T18:00:00Z', kind: 'FOMC', title: 'FOMC statement', importance: 'HIGH', source: FOMC2027, confirmed: true },
  { time: '2027-11-10T13:30:00Z', kind: 'CPI', title: 'CPI (October 2027)', importance: 'HIGH', source: CPI, confirmed: false },
  { time: '2027-12-08T19:00:00Z', kind: 'FOMC', title: 'FOMC statement', importance: 'HIGH', source: FOMC2027, confirmed: true },
  { time: '2027-12-10T13:30:00Z', kind: 'CPI', title: 'CPI (November 2027)', importance: 'HIGH', source: CPI, confirmed: false },
];

/** The default calendar, ascending by time. */
export function defaultMacroEvents(): MacroEvent[] {
  return EVENTS.map((e) => ({ ...e, time: Date.parse(e.time) })).sort((a, b) => a.time - b.time);
}
