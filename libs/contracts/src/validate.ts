import { ClassConstructor, plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';
import { AlertMessage } from './alert';
import { DetectionsMessage } from './detections';
import { FaceCropMessage } from './face-crop';
import { FrameMessage } from './frame';
import { IdentityMessage } from './identity';
import { Pattern, Patterns } from './patterns';

export const ContractOf: Record<Pattern, ClassConstructor<object>> = {
  [Patterns.FrameChanged]: FrameMessage,
  [Patterns.FaceCrop]: FaceCropMessage,
  [Patterns.Identity]: IdentityMessage,
  [Patterns.Alert]: AlertMessage,
  [Patterns.Detections]: DetectionsMessage,
};

export type ContractResult<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/** Flattens class-validator errors to `path: constraint message` lines. */
export function describeValidationErrors(errors: ValidationError[], prefix = ''): string[] {
  const lines: string[] = [];
  for (const error of errors) {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    for (const message of Object.values(error.constraints ?? {})) lines.push(`${path}: ${message}`);
    if (error.children?.length) lines.push(...describeValidationErrors(error.children, path));
  }
  return lines;
}

/** Validates a decoded message against the contract of its pattern. Unknown patterns are rejected. */
export function validateContract<T = unknown>(pattern: string, data: unknown): ContractResult<T> {
  const contract = Object.hasOwn(ContractOf, pattern) ? (ContractOf as Record<string, ClassConstructor<object>>)[pattern] : undefined;
  if (!contract) return { ok: false, errors: [`unknown pattern ${JSON.stringify(pattern)}`] };
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return { ok: false, errors: ['message must be an object'] };
  }
  const value = plainToInstance(contract, data);
  const errors = validateSync(value, { forbidUnknownValues: true, whitelist: false });
  if (errors.length) return { ok: false, errors: describeValidationErrors(errors) };
  return { ok: true, value: value as T };
}
