import { createHash } from 'node:crypto';

/**
 * Key names of a link carried on one Redis stream per camera (`links.<link>.perCamera`), shared by
 * the producer (the roof) and the consumers (fog replicas). Camera ids travel as they are when they
 * are plain (`[A-Za-z0-9_.-]{1,64}`, what the roof's config accepts); any other id is replaced by a
 * digest, so a key never holds a separator, a glob character or control bytes from the wire.
 */

const PLAIN_CAMERA_ID = /^[A-Za-z0-9_.-]{1,64}$/;

export function cameraKeyOf(cameraId: string): string {
  if (PLAIN_CAMERA_ID.test(cameraId)) return cameraId;
  return `~${createHash('sha256').update(cameraId).digest('hex').slice(0, 24)}`;
}

export const cameraStreamOf = (base: string, cameraKey: string): string => `${base}:cam:${cameraKey}`;
/** The set of camera keys a producer has appended to (SADD with the first append): what consumers share. */
export const cameraRegistryOf = (base: string): string => `${base}:cameras`;
/** The lease of one camera: the owner's token, with the lease's expiry (SET NX PX). */
export const leaseKeyOf = (base: string, cameraKey: string): string => `${base}:lease:${cameraKey}`;
/** Who held a camera last (`released` after a handover): tells a takeover from a handover. */
export const lastOwnerKeyOf = (base: string, cameraKey: string): string => `${base}:owner:${cameraKey}`;
/** Consumers alive (sorted set: member token, score = last renewal, ms). */
export const membersKeyOf = (base: string): string => `${base}:members`;
/** A consumer's request for a whole frame; the producer's next append to the stream reads and clears it. */
export const resyncKeyOf = (stream: string): string => `${stream}:resync`;
