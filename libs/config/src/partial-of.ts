import { Type } from 'class-transformer';
import { IsOptional, getMetadataStorage } from 'class-validator';

type Constructor<T> = new () => T;

/** Every key optional, nested sections too (arrays are replaced whole, not merged). */
export type DeepPartial<T> = {
  [K in keyof T]?: T[K] extends readonly unknown[] ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K];
};

/**
 * A class whose instances validate as a partial of `source`: the same class-validator rules on every
 * key, each key optional, and no default values (a key left out stays undefined, so it can be merged
 * over a full instance with `mergeOver`). `nested` names the partial classes of nested sections
 * (their `@ValidateNested` rule is kept, their type replaced).
 */
export function partialOf<T extends object>(source: Constructor<T>, nested: { [K in keyof T]?: Constructor<object> } = {}): Constructor<DeepPartial<T>> {
  const partial = { [`Partial${source.name}`]: class {} }[`Partial${source.name}`];
  const storage = getMetadataStorage();
  const keys = new Set<string>();
  for (const rule of storage.getTargetValidationMetadatas(source, '', false, false)) {
    storage.addValidationMetadata(Object.assign(Object.create(Object.getPrototypeOf(rule) as object) as typeof rule, rule, { target: partial }));
    keys.add(rule.propertyName);
  }
  for (const key of keys) IsOptional()(partial.prototype, key);
  for (const [key, type] of Object.entries(nested) as [string, Constructor<object>][]) Type(() => type)(partial.prototype, key);
  return partial as Constructor<DeepPartial<T>>;
}

const isSection = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);

/** `base` with every key `override` sets, section by section (arrays and scalars replaced); neither is changed. */
export function mergeOver<T extends object>(base: T, override: DeepPartial<T> | undefined): T {
  const merged = Object.assign(Object.create(Object.getPrototypeOf(base) as object) as T, base);
  for (const [key, value] of Object.entries(override ?? {})) {
    if (value === undefined) continue;
    const current = (base as Record<string, unknown>)[key];
    (merged as Record<string, unknown>)[key] = isSection(value) && isSection(current) ? mergeOver(current, value) : value;
  }
  return merged;
}
