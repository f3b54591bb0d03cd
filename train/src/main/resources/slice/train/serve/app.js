// The serve page: plain DOM and fetch, no build step. A token given as #token=… is kept in a same-site cookie, which
// fetch and EventSource send with every API request.
'use strict';
const $ = id => document.getElementById(id);
const hash = new URLSearchParams(location.hash.slice(1));
if (hash.get('token')) {
  document.cookie = 'slice_token=' + encodeURIComponent(hash.get('token')) + '; path=/; SameSite=Strict';
  history.replaceState(null, '', location.pathname);
}

async function api(method, path, body) {
  const response = await fetch(path, {method, body, credentials: 'same-origin'});
  const json = await response.json().catch(() => ({error: response.statusText}));
  if (!response.ok) throw new Error(json.error || response.status);
  return json;
}

const personPath = name => '/api/people/' + encodeURIComponent(name);
const names = event => event.faces.length === 0 ? 'no face'
    : event.faces.map(f => f.person === 'unknown' ? 'unknown' : f.person).join(', ');

// A recent event's frame with each face boxed and named.
async function draw(canvas, event) {
  const image = new Image();
  image.src = '/api/frames/' + event.id + '.jpg';
  try { await image.decode(); } catch (e) { return; }
  canvas.width = image.naturalWidth;
  canvas.height = image.naturalHeight;
  const g = canvas.getContext('2d'), k = image.naturalWidth / event.width;
  g.drawImage(image, 0, 0);
  g.lineWidth = Math.max(2, canvas.width / 250);
  g.font = 'bold ' + Math.max(12, canvas.width / 40) + 'px sans-serif';
  for (const f of event.faces) {
    const [x, y, w, h] = f.box.map(v => v * k);
    g.strokeStyle = g.fillStyle = f.person === 'unknown' ? '#d33' : '#2a4';
    g.strokeRect(x, y, w, h);
    const label = f.person, tw = g.measureText(label).width + 8, th = parseInt(g.font.split(' ')[1]) + 4;
    g.fillRect(x, Math.max(0, y - th), tw, th);
    g.fillStyle = '#fff';
    g.fillText(label, x + 4, Math.max(th - 4, y - 4));
  }
}

function card(src, caption) {
  const li = document.createElement('li');
  const img = document.createElement('img');
  img.src = src;
  img.alt = caption;
  img.onerror = () => { img.removeAttribute('src'); };
  const name = document.createElement('div');
  name.textContent = caption;
  li.append(img, name);
  return li;
}

async function loadPeople() {
  const list = $('people');
  const {people} = await api('GET', '/api/people');
  list.replaceChildren(...people.map(p => {
    const li = card(p.thumbnail, p.name + ' (' + p.photos + ')');
    li.className = 'person';
    const forget = document.createElement('button');
    forget.textContent = 'forget';
    forget.onclick = async () => {
      if (!confirm('Forget ' + p.name + '?')) return;
      await api('DELETE', personPath(p.name)).catch(e => alert(e.message));
      loadPeople();
      loadHealth();
    };
    li.append(forget);
    return li;
  }));
}

async function loadUnknowns() {
  const {unknowns} = await api('GET', '/api/unknowns');
  const today = new Date().toDateString();
  $('unknowns').replaceChildren(...unknowns.filter(u => new Date(u.time).toDateString() === today).map(u => {
    const li = card(u.thumbnail, new Date(u.time).toLocaleTimeString() + (u.nearest ? ' (like ' + u.nearest + ')' : ''));
    const button = document.createElement('button');
    button.textContent = 'this is …';
    button.onclick = async () => {
      const name = prompt('Who is this?', u.nearest || '');
      if (!name) return;
      const photo = await (await fetch(u.thumbnail, {credentials: 'same-origin'})).blob();
      try {
        await api('POST', personPath(name) + '/photos', photo);
        li.remove();
        loadPeople();
      } catch (e) { alert(e.message); }
    };
    li.append(button);
    return li;
  }));
}

function showEvent(event) {
  const item = document.createElement('li');
  item.textContent = new Date(event.time).toLocaleTimeString() + ' ' + event.source + ': ' + names(event);
  item.className = event.faces.some(f => f.person === 'unknown') ? 'unknown' : 'known';
  $('events').prepend(item);
  while ($('events').children.length > 20) $('events').lastChild.remove();
  draw($('live'), event);
  if (event.faces.some(f => f.person === 'unknown')) loadUnknowns();
  loadHealth();
}

async function loadHealth() {
  try {
    const h = await api('GET', '/api/health');
    $('health').textContent = h.people + ' people · ' + h.frames_per_second + ' frames/s · ' + h.threads + ' threads';
  } catch (e) { $('health').textContent = e.message; }
}

$('recognise-file').onchange = async e => {
  const file = e.target.files[0];
  if (!file) return;
  $('recognise-result').textContent = 'recognising…';
  try {
    const event = await api('POST', '/api/recognize', file);
    $('recognise-result').textContent = names(event);
  } catch (err) { $('recognise-result').textContent = err.message; }
  e.target.value = '';
};

$('enrol').onsubmit = async e => {
  e.preventDefault();
  const name = $('enrol-name').value.trim(), files = $('enrol-file').files;
  const form = new FormData();
  for (const f of files) form.append('photo', f, 'photo');
  $('enrol-status').textContent = 'enrolling…';
  try {
    const r = await api('POST', personPath(name) + '/photos', form);
    $('enrol-status').textContent = r.person + ': ' + r.added + ' photo(s) enrolled';
    $('enrol').reset();
    loadPeople();
    loadHealth();
  } catch (err) { $('enrol-status').textContent = err.message; }
};

const events = new EventSource('/api/events');
events.addEventListener('recognition', m => showEvent(JSON.parse(m.data)));
loadPeople().catch(e => { $('enrol-status').textContent = e.message; });
loadUnknowns().catch(() => {});
loadHealth();
setInterval(loadHealth, 10000);
