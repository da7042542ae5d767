const THUNKS = Symbol('lazy properties');
/** One accessor per property name, shared by every object. */
const accessors = new Map<string, PropertyDescriptor>();

/**
 * Gives `target` enumerable properties worked out when first read (each read calls its thunk again; a thunk
 * that is costly keeps its own answer). A copy made by spreading `target` reads them.
 *
 * Not a getter written in an object literal: that getter is a new function for each object, and on Node 20
 * such an object (with everything it reaches) outlives the young-generation collections that should free it
 * (measured on the gateway: whole runs promoted to the old generation, and 5-10 ms scavenges). The accessors
 * here are shared, and the thunks are plain data of the object.
 */
export function defineLazy<T extends object>(target: T, thunks: Record<string, () => unknown>): T {
  Object.defineProperty(target, THUNKS, { value: thunks });
  for (const key in thunks) {
    let accessor = accessors.get(key);
    if (!accessor) {
      accessor = {
        get(this: { [THUNKS]: Record<string, () => unknown> }) {
          return this[THUNKS][key]!();
        },
        enumerable: true,
        configurable: true,
      };
      accessors.set(key, accessor);
    }
    Object.defineProperty(target, key, accessor);
  }
  return target;
}
