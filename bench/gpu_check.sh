#!/usr/bin/env bash
# Prepared device check for a Linux x86-64 machine with an NVIDIA GPU and no network. Prints images/s of
# stage-1 ResNet-18 steps (CIFAR stem, 32x32x3, batch 128 x 2 views, SGD momentum) on
#   - the WebGPU EP over the GPU's Vulkan driver (state kept on the device, and round-tripped per step),
#   - the CUDA EP, where its binaries were installed beforehand (`npm run install-cuda` needs network),
#   - the CPU EP with every core, for scale.
# Run from anywhere, with node_modules installed in the repository:  bash bench/gpu_check.sh [steps]
set -uo pipefail
cd "$(dirname "$0")/.."
STEPS="${1:-5}"
BENCH=(node --import ./scripts/register-ts.mjs bench/ep.ts --models resnet18 --steps "$STEPS")

echo "== machine"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo "nvidia-smi: not available"
echo "node $(node --version), $(nproc) cores"
[ -d node_modules/onnxruntime-node ] || { echo "node_modules/onnxruntime-node is missing: run npm ci where there is network"; exit 1; }

echo "== WebGPU (Dawn over Vulkan)"
# Dawn needs the Vulkan loader (libvulkan.so.1; src/runtime/vulkan_loader.ts also tries chromium's copy)
# and an ICD manifest for the NVIDIA driver. Containers get the latter only with the 'graphics' driver
# capability (NVIDIA_DRIVER_CAPABILITIES=all or including graphics).
ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1 ' && echo "Vulkan loader: system libvulkan.so.1" \
  || { [ -f /usr/lib/chromium/libvulkan.so.1 ] && echo "Vulkan loader: /usr/lib/chromium/libvulkan.so.1" || echo "Vulkan loader: libvulkan.so.1 not found (apt-get install libvulkan1)"; }
icd=""
for f in /usr/share/vulkan/icd.d/nvidia_icd*.json /etc/vulkan/icd.d/nvidia_icd*.json /usr/share/vulkan/icd.d/*nvidia*.json; do
  [ -f "$f" ] && { icd="$f"; break; }
done
if [ -n "$icd" ]; then
  export VK_ICD_FILENAMES="$icd"
  echo "ICD: $icd"
  timeout 420 "${BENCH[@]}" --eps webgpu --threads "$(nproc)" 2>&1 | grep -v 'W:onnxruntime'
else
  echo "no NVIDIA Vulkan ICD manifest in /usr/share/vulkan/icd.d or /etc/vulkan/icd.d: WebGPU would find no GPU adapter; skipped"
fi
unset VK_ICD_FILENAMES

echo "== CUDA"
if ls node_modules/onnxruntime-node/bin/napi-v*/linux/x64/libonnxruntime_providers_cuda.so >/dev/null 2>&1; then
  for lib in libcudart.so.12 libcublas.so.12 libcudnn.so.9; do
    ldconfig -p 2>/dev/null | grep -q "$lib" && echo "$lib: found" || echo "$lib: not in the loader cache (the CUDA EP needs CUDA 12 + cuDNN 9)"
  done
  timeout 300 "${BENCH[@]}" --eps cuda --threads "$(nproc)" 2>&1 | grep -v 'W:onnxruntime'
else
  echo "CUDA EP binaries not installed (npm run install-cuda, which needs network): skipped"
fi

echo "== CPU"
timeout 300 "${BENCH[@]}" --eps cpu --threads "$(nproc)" 2>&1 | grep -v 'W:onnxruntime'
