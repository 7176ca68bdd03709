/** Overall state of this instance or one of its components (a domain type: the schema exposes it as an enum). */
export const HealthStatuses = { OK: 'OK', DEGRADED: 'DEGRADED', DOWN: 'DOWN' } as const;
export type HealthStatus = (typeof HealthStatuses)[keyof typeof HealthStatuses];
