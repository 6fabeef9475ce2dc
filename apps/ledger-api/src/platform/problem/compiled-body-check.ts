import { TransformationType } from 'class-transformer';
import type { MetadataStorage as TransformerMetadata } from 'class-transformer/types/MetadataStorage';
import { getMetadataStorage, ValidationTypes } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import { OPTIONAL_CONDITION } from '../http/dto/optional';

/**
 * A DTO's class-validator rules compiled once into plain predicates over the parsed JSON body: true only when
 * class-validator would find nothing wrong with the instance class-transformer makes of it (the same constraint
 * functions with the same arguments, the same whitelist, the same nesting). It never produces an error: a body it does
 * not accept goes through class-validator, which writes the 400. What class-validator spends on a valid body is mostly
 * finding and grouping metadata and building error objects on every request; this does that once per class.
 *
 * A class whose rules it cannot mirror exactly (groups, async or conditional rules other than Optional(), transforms,
 * discriminators, a nested member without @Type) gets no check, and its bodies all go through class-validator.
 */
export type BodyCheck = (body: Record<string, unknown>) => boolean;

class Unsupported extends Error {}

// class-transformer's own registry of @Type / @Transform / @Expose (the one plainToInstance reads); not in its index.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as { defaultMetadataStorage: TransformerMetadata };

const compiled = new Map<Function, { check?: BodyCheck }>();

/** The compiled check of a DTO class, or undefined when its rules are not all mirrored. */
export function bodyCheckOf(metatype: Function): BodyCheck | undefined {
  try {
    return objectCheck(metatype);
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
}

/** What JSON.parse makes of an object, in whichever realm it ran (jest's sandboxes have one of their own). */
export const isJsonObject = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as object | null;
  return prototype === null || Object.getPrototypeOf(prototype) === null;
};

function objectCheck(target: Function): BodyCheck {
  const known = compiled.get(target);
  if (known) {
    if (!known.check) throw new Unsupported();
    return known.check;
  }
  // A class that refers to itself: its check is looked up when a body is checked, once it exists.
  const entry: { check?: BodyCheck } = {};
  compiled.set(target, entry);
  try {
    const metadatas = getMetadataStorage().getTargetValidationMetadatas(target, '', false, false, undefined);
    // With no rules class-validator reports an unknown value (forbidUnknownValues): never valid.
    if (metadatas.length === 0) throw new Unsupported();
    if (defaultMetadataStorage.getExposedMetadatas(target).length > 0 || defaultMetadataStorage.getExcludedMetadatas(target).length > 0) {
      throw new Unsupported();
    }
    const byProperty = new Map<string, ValidationMetadata[]>();
    for (const metadata of metadatas) byProperty.set(metadata.propertyName, [...(byProperty.get(metadata.propertyName) ?? []), metadata]);
    const properties = [...byProperty].map(([property, rules]) => propertyCheck(target, property, rules));
    const allowed = new Set(byProperty.keys());
    entry.check = (body) => {
      // whitelist + forbidNonWhitelisted
      for (const key in body) if (!allowed.has(key)) return false;
      for (const check of properties) if (!check(body)) return false;
      return true;
    };
    return entry.check;
  } catch (error) {
    if (!(error instanceof Unsupported)) compiled.delete(target);
    throw error;
  }
}

function propertyCheck(target: Function, property: string, rules: ValidationMetadata[]): BodyCheck {
  if (defaultMetadataStorage.findTransformMetadatas(target, property, TransformationType.PLAIN_TO_CLASS).length > 0) throw new Unsupported();
  let optional = false;
  const predicates: Array<(value: unknown, body: Record<string, unknown>) => boolean> = [];
  for (const rule of rules) {
    if (rule.groups?.length || rule.always || (rule as { validateIf?: unknown }).validateIf) throw new Unsupported();
    switch (rule.type) {
      case ValidationTypes.WHITELIST:
        break;
      case ValidationTypes.CONDITIONAL_VALIDATION:
        if (rule.constraints?.[0] !== OPTIONAL_CONDITION) throw new Unsupported();
        optional = true;
        break;
      case ValidationTypes.IS_DEFINED:
        predicates.push((value) => value !== undefined && value !== null);
        break;
      case ValidationTypes.CUSTOM_VALIDATION:
        predicates.push(constraintCheck(target, property, rule));
        break;
      case ValidationTypes.NESTED_VALIDATION:
        predicates.push(nestedCheck(target, property));
        break;
      default:
        throw new Unsupported();
    }
  }
  return (body) => {
    const value = body[property];
    if (optional && value === undefined) return true;
    for (const predicate of predicates) if (!predicate(value, body)) return false;
    return true;
  };
}

function constraintCheck(target: Function, property: string, rule: ValidationMetadata): (value: unknown, body: Record<string, unknown>) => boolean {
  const constraints = getMetadataStorage().getTargetValidatorConstraints(rule.constraintCls);
  if (constraints.length === 0 || constraints.some((constraint) => constraint.async)) throw new Unsupported();
  const validators = constraints.map((constraint) => constraint.instance as { validate(value: unknown, args: unknown): unknown });
  const targetName = target.name;
  const ruleConstraints = rule.constraints;
  // A loop, not every() with a closure: this runs for every member of every write's body.
  const validate = (value: unknown, body: Record<string, unknown>) => {
    for (const validator of validators) {
      if (validator.validate(value, { targetName, property, object: body, value, constraints: ruleConstraints }) !== true) return false;
    }
    return true;
  };
  return (value, body) => {
    if (!rule.each || !(Array.isArray(value) || value instanceof Set || value instanceof Map)) return validate(value, body);
    for (const item of Array.isArray(value) ? value : [...value.values()]) if (!validate(item, body)) return false;
    return true;
  };
}

/** An object, or an array of objects, each of the class @Type names (which class-transformer makes of it). */
function nestedCheck(target: Function, property: string): (value: unknown) => boolean {
  const type = defaultMetadataStorage.findTypeMetadata(target, property);
  if (!type || type.options?.discriminator) throw new Unsupported();
  const nested = type.typeFunction() as Function;
  objectCheck(nested);
  const check = (value: unknown) => isJsonObject(value) && compiled.get(nested)!.check!(value);
  return (value) => {
    // class-validator skips the nested rules of an undefined member (its other rules decide).
    if (value === undefined) return true;
    if (Array.isArray(value)) return value.every(check);
    return check(value);
  };
}

/** Makes the DTO instance of a body its compiled check accepted, as class-transformer's plainToInstance would. */
export type BodyInstantiation<T extends object = object> = (body: Record<string, unknown>) => T;

const instantiations = new Map<Function, { make?: BodyInstantiation }>();

/**
 * What plainToInstance (no implicit conversion, no groups or versions) makes of a body that `bodyCheckOf(metatype)`
 * accepted, compiled once per class: `new metatype()`, then each member in the body's order, members that name a
 * nested DTO (`@Type`) instantiated the same way, every other value copied as class-transformer copies JSON (arrays
 * and plain objects anew, without `__proto__` or members Object.prototype already has). class-transformer looks up
 * its metadata for every member of every request; the answer never changes for a class. Undefined for a class without
 * a compiled check, or one whose members need more than that (discriminators, Map or Set members): plainToInstance
 * then does it.
 */
export function bodyInstantiationOf<T extends object>(metatype: new () => T): BodyInstantiation<T> | undefined {
  try {
    return instantiation(metatype) as BodyInstantiation<T>;
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
}

function instantiation(target: Function): BodyInstantiation {
  const known = instantiations.get(target);
  if (known) {
    if (!known.make) throw new Unsupported();
    return known.make;
  }
  const entry: { make?: BodyInstantiation } = {};
  instantiations.set(target, entry);
  try {
    if (!bodyCheckOf(target)) throw new Unsupported();
    const Target = target as new () => Record<string, unknown>;
    const probe = new Target();
    const members = new Map<string, ((value: unknown) => unknown) | null>();
    const properties = new Set(getMetadataStorage().getTargetValidationMetadatas(target, '', false, false, undefined).map((m) => m.propertyName));
    for (const property of properties) {
      // class-transformer leaves out a member the class answers with a getter or a method.
      const descriptor = Object.getOwnPropertyDescriptor(target.prototype, property);
      if ((descriptor && !descriptor.set) || probe[property] instanceof Function || property === 'constructor' || property === '__proto__') {
        members.set(property, null);
        continue;
      }
      members.set(property, memberValue(target, property));
    }
    entry.make = (body) => {
      const instance = new Target();
      for (const key of Object.keys(body)) {
        const convert = members.get(key);
        if (convert === null) continue;
        // A key the check did not allow never gets here; copied as class-transformer would all the same.
        instance[key] = convert === undefined ? copyJson(body[key]) : convert(body[key]);
      }
      return instance;
    };
    return entry.make;
  } catch (error) {
    instantiations.delete(target);
    if (error instanceof Unsupported) instantiations.set(target, {});
    throw error;
  }
}

function memberValue(target: Function, property: string): (value: unknown) => unknown {
  const type = defaultMetadataStorage.findTypeMetadata(target, property);
  if (!type) return copyJson;
  if (type.options?.discriminator) throw new Unsupported();
  const nested = type.typeFunction() as Function;
  // An array member becomes an instance of its reflected type (Array: a plain array); a Set or Map would not.
  if (type.reflectedType !== undefined && type.reflectedType !== Array && type.reflectedType !== Object && type.reflectedType !== nested) {
    throw new Unsupported();
  }
  // A member of a nested DTO the check knows (the only @Type the check accepts a body for).
  if (!compiled.get(nested)?.check) throw new Unsupported();
  // A class met again while it is being compiled (one that nests itself) is left to plainToInstance.
  if (instantiations.has(nested) && !instantiations.get(nested)!.make) throw new Unsupported();
  const make = instantiation(nested);
  const one = (item: unknown): unknown => (item === null || typeof item !== 'object' ? item : make(item as Record<string, unknown>));
  return (value) => (Array.isArray(value) ? value.map(one) : one(value));
}

/** class-transformer's copy of an untyped JSON value: new arrays and objects, without the keys it never copies. */
function copyJson(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(copyJson);
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (key === '__proto__' || Object.prototype.hasOwnProperty.call(Object.prototype, key)) continue;
    copy[key] = copyJson((value as Record<string, unknown>)[key]);
  }
  return copy;
}
