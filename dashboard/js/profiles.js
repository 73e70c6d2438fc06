//# allFunctionsCalledOnLoad
// Profiles: which panels a kind of process needs. A server shows everything; a worker
// process without HTTP hides the HTTP panels and tiles; an embedded or constrained
// process keeps only its memory, pools and errors (and renders nothing else, so the page
// costs it least). The choice is kept in localStorage. And the platform: from
// `actorscope_platform_info`, the Linux-only smaps breakdown is shown only on Linux.

/** Every profile: its name in the picker and the panels it turns off. */
export const PROFILES = {
  server: { label: "server", off: [], http: true },
  worker: { label: "worker-only (no HTTP)", off: ["routes", "clients", "histogram"], http: false },
  embedded: { label: "embedded / constrained", off: ["routes", "clients", "workers", "actors", "histogram", "families"], http: false },
};
export const DEFAULT_PROFILE = "server";
const STORAGE_KEY = "actorscope.profile";

/** The profile chosen last time (the default when storage is unavailable or holds something else). */
export function readProfile(storage) {
  try {
    const name = storage?.getItem(STORAGE_KEY);
    return Object.hasOwn(PROFILES, name ?? "") ? name : DEFAULT_PROFILE;
  } catch {
    return DEFAULT_PROFILE;
  }
}

/** Keeps the profile for next time; a page without storage simply forgets it. */
export function writeProfile(storage, name) {
  try {
    storage?.setItem(STORAGE_KEY, name);
  } catch {
    // Storage full or denied: the profile still applies to this page.
  }
}

/** Whether panel `id` is on in profile `name`. */
export function panelOn(name, id) {
  return !(PROFILES[name] ?? PROFILES[DEFAULT_PROFILE]).off.includes(id);
}

/** Whether profile `name` shows the HTTP tiles of the overview. */
export function showsHttp(name) {
  return (PROFILES[name] ?? PROFILES[DEFAULT_PROFILE]).http;
}

/** The smaps families, which only Linux has (`/proc/self/smaps_rollup`). */
export const LINUX_ONLY = ["process_anonymous_memory_bytes", "process_swap_bytes", "process_proportional_memory_bytes", "process_file_backed_memory_bytes", "process_shared_memory_bytes"];

/**
 * The platform, from the store's `actorscope_platform_info` (`{ os, arch, kernel }`), or
 * null when no process collector reports it.
 */
export function platformOf(store) {
  const family = store.families.get("actorscope_platform_info");
  const sample = family ? [...family.samples.values()][0] : undefined;
  return sample ? { os: sample.labels.os ?? "", arch: sample.labels.arch ?? "", kernel: sample.labels.kernel ?? "" } : null;
}

/** Whether the smaps breakdown applies: on Linux, or when the platform is not known. */
export function hasSmaps(platform) {
  return platform === null || platform.os === "linux";
}
