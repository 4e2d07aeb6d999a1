import type { Migration } from '@hub/platform';

/**
 * A dispatch is accepted by a person, not by a transport: the device's receipt (delivered) and
 * the person's answer (accepted, refused, or timed out) are separate states with their own times.
 * `acknowledged_at` held the one ack that meant both; it becomes `answered_at` (accept, refusal
 * or time-out) and `delivered_at` is added. Rows an older hub left `acknowledged` were accepted
 * under its rules.
 */
export const dispatchAnswers: Migration = {
  id: 'incidents.002_dispatch_answers',
  after: ['incidents.001_incidents'],
  up: () => [
    `ALTER TABLE incident_units DROP CONSTRAINT incident_units_state_check`,
    `UPDATE incident_units SET state = 'accepted' WHERE state = 'acknowledged'`,
    `ALTER TABLE incident_units ADD CONSTRAINT incident_units_state_check
       CHECK (state IN ('sent', 'delivered', 'accepted', 'refused', 'timed_out', 'en_route', 'on_scene'))`,
    `ALTER TABLE incident_units RENAME COLUMN acknowledged_at TO answered_at`,
    `ALTER TABLE incident_units ADD COLUMN delivered_at timestamptz`,
  ],
};
