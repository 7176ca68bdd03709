import { ValueAreaPositions, type ProfileBucket, type VolumeNode, type VolumeProfile } from '../analyzers/volume-profile.types.js';
import { builder } from './builder.js';
import type { WithMeta } from './refs.js';

/** Refs and enums of the volume profile (implemented in src/resolvers/volume-profile.ts). */
export const VolumeProfileRef = builder.objectRef<WithMeta<VolumeProfile>>('VolumeProfile');
export const VolumeProfileBucketRef = builder.objectRef<ProfileBucket>('VolumeProfileBucket');
export const VolumeNodeRef = builder.objectRef<VolumeNode>('VolumeNode');

export const ValueAreaPositionEnum = builder.enumType(ValueAreaPositions, {
  name: 'ValueAreaPosition',
  description: 'Where the latest close sits relative to the value area: ABOVE the VAH, INSIDE, or BELOW the VAL.',
  values: {
    ABOVE: { description: 'Close above the value-area high.' },
    BELOW: { description: 'Close below the value-area low.' },
    INSIDE: { description: 'Close within the value area.' },
  },
});
