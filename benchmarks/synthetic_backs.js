// Renders the app's body model from behind as a phone photo would show it, and reports where
// body-frame points fall on the picture (benchmarks/synthetic_backs.py drives it).
// Frames as in static/body3d.js: the model is in cm, y up, z toward the front, +x on the
// person's left; scaled to the person's C7-PSIS length and shoulder width, C7 at the origin, so
// a body-frame point (x_cm, y_cm) is behind world (-x_cm, -y_cm), carried to the skin by a ray.
import * as THREE from "./three/three.module.min.js";
import { GLTFLoader } from "./three/GLTFLoader.js";

const [marks, gltf] = await Promise.all([
  fetch("./body/landmarks.json").then((r) => r.json()),
  new GLTFLoader().loadAsync("./body/body.glb"),
]);
const canvas = document.querySelector("canvas");
const renderer = new THREE.WebGLRenderer({ canvas, antialias: true, preserveDrawingBuffer: true });
const mesh = findMesh(gltf.scene);
const baseColors = colours(mesh.geometry);

function findMesh(root) {
  let found = null;
  root.traverse((node) => {
    if (node.isMesh && !found) found = node;
  });
  return found;
}

// Per-vertex colours for the "dressed" style: hair on the head, shorts from the waist to
// mid-thigh; the rest is skin (tinted by the scene).
function colours(geometry) {
  const pos = geometry.attributes.position;
  const kind = new Uint8Array(pos.count); // 0 skin, 1 hair, 2 shorts
  const c7y = marks.c7[1];
  for (let i = 0; i < pos.count; i++) {
    const y = pos.getY(i);
    const z = pos.getZ(i);
    if (y > c7y + 13 && (z < 4 || y > c7y + 21)) kind[i] = 1;
    else if (y < marks.psis_y + 9 && y > marks.psis_y - 30 && Math.abs(pos.getX(i)) < 22) kind[i] = 2;
  }
  return kind;
}

function paint(scene) {
  const kind = baseColors;
  const skin = new THREE.Color(scene.skin);
  const hair = new THREE.Color(scene.hair);
  const cloth = new THREE.Color(scene.cloth);
  const data = new Float32Array(kind.length * 3);
  for (let i = 0; i < kind.length; i++) {
    const c = scene.style === "dressed" ? [skin, hair, cloth][kind[i]] : skin;
    data.set([c.r, c.g, c.b], i * 3);
  }
  mesh.geometry.setAttribute("color", new THREE.BufferAttribute(data, 3));
  mesh.material = new THREE.MeshStandardMaterial({ vertexColors: true, roughness: 0.8, metalness: 0 });
}

function placeBody(person) {
  const sy = person.c7_psis_cm / marks.c7_psis_cm;
  const sx = person.acromion_half_width_cm / marks.acromion_half_width_cm;
  const sz = (sx + sy) / 2;
  const model = gltf.scene;
  model.scale.set(sx, sy, sz);
  model.position.set(0, -marks.c7[1] * sy, -marks.c7[2] * sz);
  model.updateMatrixWorld(true);
  return { sy, floor: (marks.floor_y - marks.c7[1]) * sy };
}

function onSkin(x_cm, y_cm) {
  const ray = new THREE.Raycaster(new THREE.Vector3(-x_cm, -y_cm, -400), new THREE.Vector3(0, 0, 1));
  const hit = ray.intersectObject(gltf.scene, true)[0];
  return hit ? hit.point : null;
}

// Where a ray from behind misses the skin (the tip of the shoulder, between the legs), the
// point is taken in the plane of C7 facing the camera.
function onSkinOrPlane(x_cm, y_cm) {
  return onSkin(x_cm, y_cm) || new THREE.Vector3(-x_cm, -y_cm, 0);
}

function toPixel(world, camera, width, height) {
  const v = world.clone().project(camera);
  return [((v.x + 1) / 2) * width, ((1 - v.y) / 2) * height];
}

// One render: the scene's camera, light and colours; returns the PNG and every target's pixel
// with the local map from body-frame cm to pixels (d pixel / d x_cm, d pixel / d y_cm).
window.renderBack = (scene) => {
  const { width, height } = scene;
  renderer.setSize(width, height, false);
  paint(scene);
  const { floor } = placeBody(scene.body);
  const world = new THREE.Scene();
  world.background = new THREE.Color(scene.background);
  world.add(new THREE.HemisphereLight(0xfff6ee, 0x6b5a50, scene.ambient));
  const sun = new THREE.DirectionalLight(0xffffff, scene.sun);
  sun.position.set(scene.sunX, 120, -160);
  world.add(sun);
  world.add(gltf.scene);

  const camera = new THREE.PerspectiveCamera(scene.fovDeg, width / height, 1, 3000);
  const yaw = THREE.MathUtils.degToRad(scene.yawDeg);
  const eye = new THREE.Vector3(-Math.sin(yaw) * scene.distanceCm, scene.cameraYCm, -Math.cos(yaw) * scene.distanceCm);
  const target = new THREE.Vector3(0, scene.aimYCm, 0);
  camera.position.copy(eye);
  camera.lookAt(target);
  camera.rotateZ(THREE.MathUtils.degToRad(scene.rollDeg));
  camera.updateMatrixWorld(true);
  renderer.render(world, camera);

  const targets = scene.targets.map(([name, x, y]) => {
    const skin = Boolean(onSkin(x, y));
    const at = onSkinOrPlane(x, y);
    const dx = onSkinOrPlane(x + 1, y);
    const dy = onSkinOrPlane(x, y + 1);
    const p = toPixel(at, camera, width, height);
    const px = toPixel(dx, camera, width, height);
    const py = toPixel(dy, camera, width, height);
    return { name, skin, px: p, jx: [px[0] - p[0], px[1] - p[1]], jy: [py[0] - p[0], py[1] - p[1]] };
  });
  const feet = toPixel(new THREE.Vector3(0, floor, 0), camera, width, height);
  return { png: canvas.toDataURL("image/png"), targets, feet };
};
window.rendererReady = true;
