// onnxruntime-node's WebGPU EP runs on Dawn, which on Linux dlopen()s the Vulkan loader `libvulkan.so.1`.
// Debian's chromium package ships SwiftShader (a CPU Vulkan driver) with its own copy of that loader in
// /usr/lib/chromium but does not install the system one (package libvulkan1), so Dawn finds "No
// supported adapters" even with VK_ICD_FILENAMES set. LD_LIBRARY_PATH would fix it, but only when set
// before the process starts; instead the loader is loaded here, before the first WebGPU session, so that
// Dawn's dlopen("libvulkan.so.1") finds it already loaded (glibc matches loaded libraries by soname).

import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';

/** glibc's RTLD_NODELETE (not in os.constants.dlopen): keeps the library loaded after Node's dlclose. */
const RTLD_NODELETE = 0x1000;
const LOADER = 'libvulkan.so.1';
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

let loaded: string | undefined;

/**
 * Loads the Vulkan loader once (the system one, else the copy next to VK_ICD_FILENAMES or chromium's);
 * returns what was loaded, or undefined where none exists (Dawn then reports no adapter).
 */
export function ensureVulkanLoader(): string | undefined {
  if (loaded !== undefined || process.platform !== 'linux') return loaded;
  const icd = process.env.VK_ICD_FILENAMES?.split(':')[0];
  const candidates = [LOADER, ...(icd ? [join(dirname(icd), LOADER)] : []), join(dirname(SWIFTSHADER_ICD), LOADER)];
  for (const path of candidates) {
    if (path !== LOADER && !existsSync(path)) continue;
    try {
      // process.dlopen loads the library, then throws because it is not a Node addon; NODELETE keeps it.
      process.dlopen({ exports: {} }, path, constants.dlopen.RTLD_NOW | constants.dlopen.RTLD_GLOBAL | RTLD_NODELETE);
    } catch (err) {
      if (!(err instanceof Error) || !/did not self-register/.test(err.message)) continue;
    }
    loaded = path;
    return loaded;
  }
  return undefined;
}
