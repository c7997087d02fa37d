// The 3-D back: the point on a body the person can turn (touch, mouse, keyboard).
// Loads three.js and the body model only when the view is opened; without WebGL the button
// stays hidden and the flat map is the picture. Renders on demand (no animation loop), so
// software WebGL on a phone stays cool.
//
// Frames: the model (static/body/body.glb) is in cm with y up, z toward the front and +x on the
// person's left. The body frame of the app has its origin at C7, x toward the person's right
// and y downward. The model is scaled so its C7-PSIS length and shoulder width match this
// person's, and moved so C7 sits at the origin; a point (x_cm, y_cm) is then at world
// (-x_cm, -y_cm) and is carried onto the skin by a ray from behind.

// The words this script draws, in the page's language (see js_texts in web/app.py).
const TEXTS = JSON.parse((document.getElementById("i18n-js") || {}).textContent || "{}");
const t = (text) => TEXTS[text] || text;

const root = document.querySelector("[data-body3d]");
if (root) setUp(root);

function webglWorks() {
  try {
    const canvas = document.createElement("canvas");
    return Boolean(canvas.getContext("webgl2") || canvas.getContext("webgl"));
  } catch {
    return false;
  }
}

function setUp(section) {
  const data = JSON.parse(section.dataset.body3d);
  const button = section.querySelector(".body3d-open");
  const status = section.querySelector(".body3d-status");
  if (!webglWorks()) return;
  button.hidden = false;
  button.addEventListener("click", async () => {
    button.disabled = true;
    status.textContent = t("Loading the 3-D back…");
    try {
      await open(section, data);
      button.hidden = true;
      status.textContent = "3-D back ready: drag or use the arrow keys to turn it.";
    } catch (error) {
      button.disabled = false;
      status.textContent = t("The 3-D back could not be shown here; the flat map shows the same place.");
      section.dataset.state = "failed";
      console.error(error);
    }
  });
}

async function open(section, data) {
  const THREE = await import(data.three + "three.module.min.js");
  const { OrbitControls } = await import(data.three + "OrbitControls.js");
  const { GLTFLoader } = await import(data.three + "GLTFLoader.js");
  const [marks, gltf] = await Promise.all([
    fetch(data.landmarks).then((r) => r.json()),
    new GLTFLoader().loadAsync(data.model),
  ]);

  const view = section.querySelector(".body3d-view");
  const canvas = section.querySelector(".body3d-canvas");
  view.hidden = false;

  const renderer = new THREE.WebGLRenderer({ canvas, antialias: true, alpha: true });
  renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2));
  const scene = new THREE.Scene();
  scene.add(new THREE.HemisphereLight(0xfff6ee, 0x6b5a50, 1.6));
  const sun = new THREE.DirectionalLight(0xffffff, 1.6);
  sun.position.set(-60, 120, -160);
  scene.add(sun);

  const body = placeBody(THREE, gltf.scene, marks, data.body);
  scene.add(body);
  body.updateMatrixWorld(true);

  const camera = new THREE.PerspectiveCamera(35, 1, 1, 2000);
  const target = new THREE.Vector3(0, -data.body.c7_psis_cm * 0.45, 0);
  const home = new THREE.Vector3(0, target.y + 10, -170);
  camera.position.copy(home);

  const placed = data.points.map((p) => markPoint(THREE, body, scene, p));
  const half = data.body.acromion_half_width_cm;
  scene.add(label(THREE, t("LEFT"), half + 14, -4));
  scene.add(label(THREE, t("RIGHT"), -(half + 14), -4));

  const controls = new OrbitControls(camera, canvas);
  controls.target.copy(target);
  controls.enableDamping = false;
  controls.minDistance = 40;
  controls.maxDistance = 320;
  controls.update();

  const render = () => {
    resize(renderer, camera, canvas);
    renderer.render(scene, camera);
    section.dataset.projected = JSON.stringify(placed.map((p) => onScreen(p, camera, canvas)));
  };
  controls.addEventListener("change", render);
  window.addEventListener("resize", render);
  canvas.addEventListener("keydown", (event) => {
    if (turnByKey(event, camera, controls, home, target)) {
      event.preventDefault();
      controls.update();
      render();
    }
  });
  render();
  section.dataset.state = "ready";
  section.dataset.placed = JSON.stringify(
    placed.map((p) => ({ side: p.side, x: round(p.world.x), y: round(p.world.y), z: round(p.world.z), onSkin: p.onSkin })),
  );
}

function placeBody(THREE, model, marks, person) {
  const sy = person.c7_psis_cm / marks.c7_psis_cm;
  const sx = person.acromion_half_width_cm / marks.acromion_half_width_cm;
  const sz = (sx + sy) / 2;
  const [, c7y, c7z] = marks.c7;
  const skin = new THREE.MeshStandardMaterial({ color: 0xd7a98c, roughness: 0.75, metalness: 0 });
  model.traverse((node) => {
    if (node.isMesh) node.material = skin;
  });
  model.scale.set(sx, sy, sz);
  model.position.set(0, -c7y * sy, -c7z * sz);
  const group = new THREE.Group();
  group.add(model);
  return group;
}

function markPoint(THREE, body, scene, point) {
  const x = -point.x_cm;
  const y = -point.y_cm;
  const ray = new THREE.Raycaster(new THREE.Vector3(x, y, -400), new THREE.Vector3(0, 0, 1));
  const hit = ray.intersectObject(body, true)[0];
  const world = hit ? hit.point.clone() : new THREE.Vector3(x, y, 0);
  const normal = hit && hit.face ? hit.face.normal.clone().transformDirection(hit.object.matrixWorld) : new THREE.Vector3(0, 0, -1);

  const dot = new THREE.Mesh(
    new THREE.SphereGeometry(1.1, 20, 14),
    new THREE.MeshStandardMaterial({ color: 0xc2410c, emissive: 0x7c2d12, roughness: 0.4 }),
  );
  dot.position.copy(world).addScaledVector(normal, 0.4);
  scene.add(dot);

  const ring = new THREE.Mesh(
    new THREE.RingGeometry(Math.max(point.uncertainty_cm - 0.35, 0.5), point.uncertainty_cm, 48),
    new THREE.MeshBasicMaterial({ color: 0x0f766e, transparent: true, opacity: 0.85, side: THREE.DoubleSide, depthTest: true }),
  );
  ring.position.copy(world).addScaledVector(normal, 0.6);
  ring.lookAt(world.clone().addScaledVector(normal, 10));
  scene.add(ring);
  return { side: point.side, world, onSkin: Boolean(hit) };
}

// A word on a sprite, always facing the camera: the person's LEFT is +x in the world.
function label(THREE, text, x, y) {
  const canvas = document.createElement("canvas");
  canvas.width = 256;
  canvas.height = 96;
  const ctx = canvas.getContext("2d");
  ctx.font = "bold 56px system-ui, sans-serif";
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  ctx.fillStyle = "#1f2430";
  ctx.fillText(text, 128, 48);
  const sprite = new THREE.Sprite(new THREE.SpriteMaterial({ map: new THREE.CanvasTexture(canvas), transparent: true }));
  sprite.scale.set(16, 6, 1);
  sprite.position.set(x, y, -12);
  return sprite;
}

function resize(renderer, camera, canvas) {
  const width = canvas.clientWidth;
  const height = canvas.clientHeight;
  if (canvas.width !== Math.round(width * renderer.getPixelRatio()) || canvas.height !== Math.round(height * renderer.getPixelRatio())) {
    renderer.setSize(width, height, false);
    camera.aspect = width / Math.max(height, 1);
    camera.updateProjectionMatrix();
  }
}

function onScreen(placed, camera, canvas) {
  const v = placed.world.clone().project(camera);
  return { side: placed.side, x: round(((v.x + 1) / 2) * canvas.clientWidth), y: round(((1 - v.y) / 2) * canvas.clientHeight) };
}

// Arrow keys orbit around the back by 15 degrees, + and - zoom, 0 goes back to the start.
function turnByKey(event, camera, controls, home, target) {
  const step = Math.PI / 12;
  const offset = camera.position.clone().sub(target);
  const spherical = { r: offset.length(), theta: Math.atan2(offset.x, offset.z), phi: Math.acos(offset.y / offset.length()) };
  switch (event.key) {
    case "ArrowLeft": spherical.theta -= step; break;
    case "ArrowRight": spherical.theta += step; break;
    case "ArrowUp": spherical.phi = Math.max(0.2, spherical.phi - step); break;
    case "ArrowDown": spherical.phi = Math.min(Math.PI - 0.2, spherical.phi + step); break;
    case "+": case "=": spherical.r = Math.max(controls.minDistance, spherical.r * 0.85); break;
    case "-": case "_": spherical.r = Math.min(controls.maxDistance, spherical.r / 0.85); break;
    case "0": camera.position.copy(home); return true;
    default: return false;
  }
  const s = Math.sin(spherical.phi);
  camera.position.set(
    target.x + spherical.r * s * Math.sin(spherical.theta),
    target.y + spherical.r * Math.cos(spherical.phi),
    target.z + spherical.r * s * Math.cos(spherical.theta),
  );
  camera.lookAt(target);
  return true;
}

function round(value) {
  return Math.round(value * 100) / 100;
}
