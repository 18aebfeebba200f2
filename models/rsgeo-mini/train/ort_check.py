#!/usr/bin/python3
"""Check the exported ONNX graphs against the reference outputs with ONNX Runtime's C API (ctypes),
using the native library of the NuGet package Microsoft.ML.OnnxRuntime that the build copies next to the rsgeo
program (src/RsGeoSearch.Cli/bin/Release/net10.0/libonnxruntime.so), since Debian has no python onnxruntime.

  /usr/bin/python3 models/rsgeo-mini/train/ort_check.py [--lib PATH/libonnxruntime.so]
"""
import argparse
import ctypes as C
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

# indices into the OrtApi function table (onnxruntime_c_api.h; stable, append-only)
GET_ERROR_MESSAGE, CREATE_ENV, CREATE_SESSION, RUN, CREATE_SESSION_OPTIONS = 2, 3, 7, 9, 10
CREATE_TENSOR_WITH_DATA, GET_TENSOR_MUTABLE_DATA, CREATE_CPU_MEMORY_INFO = 49, 51, 69
RELEASE_VALUE = 96


class Ort:
    def __init__(self, lib):
        self.lib = C.CDLL(lib)
        self.lib.OrtGetApiBase.restype = C.POINTER(C.c_void_p)
        base = self.lib.OrtGetApiBase()
        get_api = C.CFUNCTYPE(C.c_void_p, C.c_uint32)(base[0])
        api = None
        for v in range(30, 10, -1):
            api = get_api(v)
            if api:
                break
        self.api = C.cast(api, C.POINTER(C.c_void_p))
        self.env = C.c_void_p()
        self._call(CREATE_ENV, [C.c_int, C.c_char_p, C.POINTER(C.c_void_p)], 3, b"ort_check", C.byref(self.env))
        self.mem = C.c_void_p()
        self._call(CREATE_CPU_MEMORY_INFO, [C.c_int, C.c_int, C.POINTER(C.c_void_p)], 1, 0, C.byref(self.mem))

    def _fn(self, idx, argtypes, restype=C.c_void_p):
        return C.CFUNCTYPE(restype, *argtypes)(self.api[idx])

    def _call(self, idx, argtypes, *args):
        st = self._fn(idx, argtypes)(*args)
        if st:
            msg = self._fn(GET_ERROR_MESSAGE, [C.c_void_p], C.c_char_p)(st)
            raise RuntimeError(msg.decode())

    def session(self, path):
        opts = C.c_void_p()
        self._call(CREATE_SESSION_OPTIONS, [C.POINTER(C.c_void_p)], C.byref(opts))
        s = C.c_void_p()
        self._call(CREATE_SESSION, [C.c_void_p, C.c_char_p, C.c_void_p, C.POINTER(C.c_void_p)],
                   self.env, path.encode(), opts, C.byref(s))
        return s

    def run(self, sess, in_name, arr, out_name, out_dim):
        arr = np.ascontiguousarray(arr)
        etype = {np.dtype(np.float32): 1, np.dtype(np.int64): 7}[arr.dtype]
        shape = (C.c_int64 * arr.ndim)(*arr.shape)
        val = C.c_void_p()
        self._call(CREATE_TENSOR_WITH_DATA, [C.c_void_p, C.c_void_p, C.c_size_t, C.POINTER(C.c_int64), C.c_size_t,
                                             C.c_int, C.POINTER(C.c_void_p)],
                   self.mem, arr.ctypes.data, arr.nbytes, shape, arr.ndim, etype, C.byref(val))
        out = C.c_void_p()
        in_names = (C.c_char_p * 1)(in_name.encode())
        out_names = (C.c_char_p * 1)(out_name.encode())
        ins = (C.c_void_p * 1)(val)
        self._call(RUN, [C.c_void_p, C.c_void_p, C.POINTER(C.c_char_p), C.POINTER(C.c_void_p), C.c_size_t,
                         C.POINTER(C.c_char_p), C.c_size_t, C.POINTER(C.c_void_p)],
                   sess, None, in_names, ins, 1, out_names, 1, C.byref(out))
        p = C.c_void_p()
        self._call(GET_TENSOR_MUTABLE_DATA, [C.c_void_p, C.POINTER(C.c_void_p)], out, C.byref(p))
        res = np.ctypeslib.as_array(C.cast(p, C.POINTER(C.c_float)), shape=(arr.shape[0], out_dim)).copy()
        return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model-dir", default=common.MODEL_DIR)
    ap.add_argument("--lib", default=os.path.join(common.REPO, "src", "RsGeoSearch.Cli", "bin", "Release", "net10.0", "libonnxruntime.so"))
    ap.add_argument("--tol", type=float, default=1e-4)
    a = ap.parse_args()
    man = json.load(open(os.path.join(a.model_dir, "manifest.json")))
    D, S = man["embedding_dim"], man["image"]["size"]
    ref = os.path.join(a.model_dir, "reference")
    ort = Ort(a.lib)
    worst = 0.0
    imgs = json.load(open(os.path.join(ref, "images.json")))["images"]
    si = ort.session(os.path.join(a.model_dir, man["image"]["onnx"]))
    X = np.stack([np.fromfile(os.path.join(ref, e["pixel_values_file"]), dtype="<f4").reshape(3, S, S) for e in imgs])
    E = ort.run(si, man["image"]["input"], X, man["image"]["output"], D)
    d = np.abs(E - np.array([e["image_embeds"] for e in imgs])).max()
    print(f"image: {len(imgs)} references (batched), max abs diff {d:.2e}")
    worst = max(worst, d)
    txts = json.load(open(os.path.join(ref, "texts.json")))["texts"]
    st = ort.session(os.path.join(a.model_dir, man["text"]["onnx"]))
    ids = np.array([t["input_ids"] for t in txts], dtype=np.int64)
    E = ort.run(st, man["text"]["input_ids"], ids, man["text"]["output"], D)
    d = np.abs(E - np.array([t["text_embeds"] for t in txts])).max()
    E1 = ort.run(st, man["text"]["input_ids"], ids[:1], man["text"]["output"], D)
    d1 = np.abs(E1[0] - np.array(txts[0]["text_embeds"])).max()
    print(f"text: {len(txts)} references (batched), max abs diff {d:.2e}; batch of 1: {d1:.2e}")
    worst = max(worst, d, d1)
    print("OK" if worst <= a.tol else "FAIL", f"(tolerance {a.tol})")
    sys.exit(0 if worst <= a.tol else 1)


if __name__ == "__main__":
    main()
