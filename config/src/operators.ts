// Operators (people at the wall), their sessions and the audit log.
import { z } from 'zod';
import { decimalInt } from './ids';

/** admin > coordinator > viewer: each role may do what the roles below it may. */
export const OperatorRoleSchema = z.enum(['admin', 'coordinator', 'viewer']);
export type OperatorRole = z.infer<typeof OperatorRoleSchema>;

const ROLE_RANK: Record<OperatorRole, number> = { viewer: 0, coordinator: 1, admin: 2 };
/** true when `role` may do what `least` may */
export function roleAtLeast(role: OperatorRole, least: OperatorRole): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[least];
}

/**
 * `auth.lockout`: failed logins are counted per username *and* source address, so a stranger
 * elsewhere cannot lock an operator out; one source is also limited over all usernames.
 */
export const LoginLockoutSchema = z
  .object({
    /** wrong passwords for one username from one source address before that pair is locked; default 5 */
    maxFailures: z.coerce.number().int().min(1).max(1000).default(5),
    /** wrong passwords from one source address, any usernames, before the source is locked; default 20 */
    maxFailuresPerSource: z.coerce.number().int().min(1).max(100000).default(20),
    /** failures count for this long, and a lock lasts until the oldest of them is this old, seconds; default 300 */
    windowSeconds: z.coerce.number().int().min(1).max(86400).default(300),
  })
  .prefault({});
export type LoginLockout = z.infer<typeof LoginLockoutSchema>;

export const UsernameSchema = z.string().regex(/^[a-z0-9][a-z0-9_.-]{1,39}$/, 'a username is 2–40 characters: lower-case letters, digits, "_", "." and "-", starting with a letter or digit');

export const PasswordSchema = z.string().min(10, 'a password needs at least 10 characters').max(200);

export const OperatorSchema = z.object({
  username: UsernameSchema,
  displayName: z.string(),
  role: OperatorRoleSchema,
  disabled: z.boolean(),
  createdAt: z.iso.datetime(),
  lastLoginAt: z.iso.datetime().nullable(),
});
export type Operator = z.infer<typeof OperatorSchema>;

export const OperatorCreateSchema = z.object({
  username: UsernameSchema,
  displayName: z.string().min(1).max(100).optional(),
  role: OperatorRoleSchema,
  password: PasswordSchema,
});
export type OperatorCreate = z.infer<typeof OperatorCreateSchema>;

export const OperatorUpdateSchema = z
  .object({
    displayName: z.string().min(1).max(100).optional(),
    role: OperatorRoleSchema.optional(),
    disabled: z.boolean().optional(),
    password: PasswordSchema.optional(),
  })
  .refine((u) => Object.keys(u).length > 0, 'nothing to change: give displayName, role, disabled or password');
export type OperatorUpdate = z.infer<typeof OperatorUpdateSchema>;

export const UsernameParamsSchema = z.object({ username: UsernameSchema });

export const LoginSchema = z.object({
  username: z.string().min(1).max(100),
  password: z.string().min(1).max(500),
});
export type Login = z.infer<typeof LoginSchema>;

/** who is asking: an operator with a session, or the admin token (username "admin") */
export const PrincipalSchema = z.object({
  username: z.string(),
  displayName: z.string(),
  role: OperatorRoleSchema,
});
export type Principal = z.infer<typeof PrincipalSchema>;

export const SessionSchema = z.object({
  /** the bearer token for REST, socket.io and video; shown only here */
  token: z.string(),
  expiresAt: z.iso.datetime(),
  operator: PrincipalSchema,
});
export type Session = z.infer<typeof SessionSchema>;

export const AuditEntrySchema = z.object({
  id: z.number().int(),
  ts: z.iso.datetime(),
  actor: z.string(),
  action: z.string(),
  target: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

export const AuditQuerySchema = z.object({
  actor: z.string().optional(),
  action: z.string().optional(),
  since: z.iso.datetime().optional(),
  /** entries before this time (exclusive) */
  until: z.iso.datetime().optional(),
  limit: decimalInt(1, 1000).default(200),
});
export type AuditQuery = z.infer<typeof AuditQuerySchema>;
