import { isJsonObject, type JsonObject, type JsonValue } from '../bytes/json.ts';

export { isJsonObject, type JsonObject, type JsonValue };

/** A deep copy through JSON, so no converted object shares structure with its input. */
export function cloneJson<T extends JsonValue>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** The object at `key` of `parent`, or undefined when it is absent or not an object. */
export function objectAt(parent: JsonObject | undefined, key: string): JsonObject | undefined {
  const child = parent?.[key];
  return isJsonObject(child) ? child : undefined;
}
