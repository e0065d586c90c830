#!/usr/bin/env node
// Fixture generator and fast publisher for bench/npm.sh. Node only, no dependencies.
//
//   node gen.js tree DIR [PACKAGES] [SEED]
//       Generates a synthetic dependency tree: PACKAGES (50) small packages, 2-5 versions each,
//       with a dependency graph (a DAG, a few majors that nest), as real npm tarballs
//       (ustar + gzip, package/ prefix, like `npm pack`) in DIR/tgz/, their manifests in
//       DIR/tree.json, and a consumer project DIR/app/package.json depending on the roots.
//   node gen.js publish-tree DIR REGISTRY TOKEN [CONCURRENCY]
//       Publishes every version of DIR/tree.json to REGISTRY with the request `npm publish`
//       sends (PUT /{name}, body {_id,name,description,dist-tags,versions{v:manifest},access,
//       _attachments}), versions of one package in ascending order, packages in parallel.
//   node gen.js publish-big NAME COUNT TOKEN REGISTRY[,REGISTRY...] [FROM]
//       Publishes COUNT versions (0.0.0 .. in semver order) of one package, with realistic
//       ~1 KB manifests and a tiny tarball each. Version i goes to REGISTRY[i mod n]: with several
//       registries the versions are spread round-robin over them (one worker per registry).
//       With FROM, versions below FROM are skipped.
//   node gen.js seed-verdaccio STORAGE NAME COUNT FROM REGISTRY
//       Adds versions FROM..COUNT-1 of that package straight into Verdaccio's storage (see
//       seedVerdaccio: 2,000 PUTs to Verdaccio take minutes).
//   node gen.js check-big URL TOKEN NAME COUNT ACCEPT
//       GETs a packument and checks it has COUNT versions, each with dist.tarball and
//       dist.integrity, and latest = the highest; prints "versions bytes digest" (digest: of the
//       versions' integrity values, to compare servers).
//   node gen.js lockset LOCKFILE
//       Prints the sorted "path version integrity" lines of a package-lock.json (to compare the
//       trees that installs against different servers produced).
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const https = require('https');
const path = require('path');
const zlib = require('zlib');

const NPM_UA = 'npm/11.19.1 node/v20.20.2 linux x64 workspaces/false';

// ---------------------------------------------------------------- deterministic randomness
function rng(seed) { // mulberry32
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

// ---------------------------------------------------------------- tarballs like `npm pack`
const NPM_MTIME = Date.parse('1985-10-26T08:15:00.000Z') / 1000; // npm's fixed timestamp

function octal(n, width) { return n.toString(8).padStart(width - 1, '0') + '\0'; }

function tarHeader(name, size) {
	const h = Buffer.alloc(512, 0);
	if (Buffer.byteLength(name) > 100) throw new Error('tar name too long: ' + name);
	h.write(name, 0, 100, 'utf8');
	h.write(octal(0o644, 8), 100, 8, 'ascii');
	h.write(octal(0, 8), 108, 8, 'ascii');
	h.write(octal(0, 8), 116, 8, 'ascii');
	h.write(octal(size, 12), 124, 12, 'ascii');
	h.write(octal(NPM_MTIME, 12), 136, 12, 'ascii');
	h.write('        ', 148, 8, 'ascii'); // checksum placeholder: spaces
	h.write('0', 156, 1, 'ascii');
	h.write('ustar\0', 257, 6, 'ascii');
	h.write('00', 263, 2, 'ascii');
	let sum = 0;
	for (const b of h) sum += b;
	h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
	return h;
}

// files: [[relative path, string content]] -> gzipped ustar with every entry under package/
function tgz(files) {
	const parts = [];
	for (const [name, content] of files) {
		const body = Buffer.from(content, 'utf8');
		parts.push(tarHeader('package/' + name, body.length), body);
		const pad = (512 - (body.length % 512)) % 512;
		if (pad) parts.push(Buffer.alloc(pad, 0));
	}
	parts.push(Buffer.alloc(1024, 0));
	return zlib.gzipSync(Buffer.concat(parts), { level: 9 });
}

function dist(tarball) {
	return {
		integrity: 'sha512-' + crypto.createHash('sha512').update(tarball).digest('base64'),
		shasum: crypto.createHash('sha1').update(tarball).digest('hex'),
	};
}

// ---------------------------------------------------------------- names, text
const WORDS = ('ansi color debug glob match brace expand path parse json yaml semver cache queue ' +
	'stream buffer event emitter promise retry timeout uuid hash base64 string width strip wrap ' +
	'flag object assign keys array flatten uniq merge deep clone equal bind once safe util define ' +
	'property intrinsic call bound escape regexp format bytes mime type negotiate cookie signal ' +
	'exit graceful fs lock temp file mkdir rimraf chokidar watch which spawn cross env dot config ' +
	'minimist yargs argv log level pretty table box chalk kleur spinner progress bar').split(' ');

function packageNames(n, r) {
	const names = new Set();
	while (names.size < n) {
		const a = WORDS[Math.floor(r() * WORDS.length)], b = WORDS[Math.floor(r() * WORDS.length)];
		if (a === b) continue;
		// every fifth package is scoped (sent as /@bench%2fname)
		names.add(names.size % 5 === 4 ? `@bench/${a}-${b}` : `bench-${a}-${b}`);
	}
	return [...names];
}

function loremLines(r, n, prefix) {
	const out = [];
	for (let i = 0; i < n; i++) {
		const w = [];
		for (let j = 0; j < 8 + Math.floor(r() * 8); j++) w.push(WORDS[Math.floor(r() * WORDS.length)]);
		out.push(prefix + w.join(' '));
	}
	return out.join('\n');
}

function sourceFile(r, name, version, fns) {
	const lines = [`'use strict';`, `// ${name}@${version}`, ''];
	for (let i = 0; i < fns; i++) {
		const f = WORDS[Math.floor(r() * WORDS.length)] + i;
		lines.push(`/**`, loremLines(r, 2, ' * '), ` */`,
			`function ${f}(input, options) {`,
			`  const opts = Object.assign({ depth: ${i + 1}, strict: ${i % 2 === 0} }, options);`,
			`  if (input == null) return opts.strict ? null : '${f}';`,
			`  return String(input).split('').reverse().join('') + opts.depth;`,
			`}`, `exports.${f} = ${f};`, '');
	}
	return lines.join('\n');
}

const MIT = 'MIT License\n\nCopyright (c) 2024 Bench Authors\n\n' +
	'Permission is hereby granted, free of charge, to any person obtaining a copy of this software ' +
	'and associated documentation files (the "Software"), to deal in the Software without ' +
	'restriction, including without limitation the rights to use, copy, modify, merge, publish, ' +
	'distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the ' +
	'Software is furnished to do so, subject to the following conditions: ...\n';

// ---------------------------------------------------------------- the dependency tree
function genTree(dir, count, seed) {
	const r = rng(seed);
	const names = packageNames(count, r);
	const VERSION_SETS = [
		['1.0.0', '1.1.0', '2.0.0'],
		['1.0.0', '1.0.1', '1.1.0'],
		['1.0.0', '1.0.1', '1.1.0', '1.2.0', '2.0.0'],
		['1.0.0', '2.0.0', '2.1.0', '3.0.0'],
		['1.0.0', '1.0.1'],
	];
	const pkgs = names.map((name, i) => ({ name, i, versions: VERSION_SETS[Math.floor(r() * VERSION_SETS.length)], deps: {} }));
	// Dependencies go from a package to packages later in the list (a DAG). Earlier packages are
	// "frameworks" with more dependencies; later ones are small utilities many depend on.
	for (const p of pkgs) {
		const later = pkgs.length - p.i - 1;
		if (later === 0) continue;
		const want = Math.min(later, Math.floor(r() * (p.i < count / 3 ? 6 : p.i < (2 * count) / 3 ? 4 : 2.5)));
		for (let k = 0; k < want; k++) {
			// prefer packages near the end (popular utilities)
			const j = p.i + 1 + Math.min(later - 1, Math.floor(later * Math.sqrt(r())));
			const t = pkgs[j];
			const majors = [...new Set(t.versions.map((v) => v.split('.')[0]))];
			// mostly the highest major, sometimes an older one: those nest in node_modules
			const major = r() < 0.75 ? majors[majors.length - 1] : majors[0];
			t.dependents = (t.dependents || 0) + 1;
			p.deps[t.name] = '^' + major + '.0.0';
		}
	}
	// Only the first few packages are roots: any later one nobody depends on yet becomes a
	// dependency of an earlier package.
	const ROOTS = Math.max(1, Math.round(count / 6));
	for (const t of pkgs.slice(ROOTS)) {
		if (t.dependents) continue;
		const p = pkgs[Math.floor(r() * t.i)];
		const majors = [...new Set(t.versions.map((v) => v.split('.')[0]))];
		t.dependents = 1;
		p.deps[t.name] = '^' + majors[majors.length - 1] + '.0.0';
	}
	fs.mkdirSync(path.join(dir, 'tgz'), { recursive: true });
	const out = [];
	for (const p of pkgs) {
		const base = p.name.replace(/^@[^/]+\//, '');
		for (const [vi, v] of p.versions.entries()) {
			// older versions have fewer dependencies (the newest has them all)
			const depNames = Object.keys(p.deps).sort();
			const keep = vi === p.versions.length - 1 ? depNames.length : Math.max(0, depNames.length - (p.versions.length - 1 - vi));
			const dependencies = {};
			for (const d of depNames.slice(0, keep)) dependencies[d] = p.deps[d];
			const pj = {
				name: p.name,
				version: v,
				description: `Synthetic benchmark package ${p.name}: ${loremLines(r, 1, '')}`,
				main: 'index.js',
				files: ['index.js', 'lib/'],
				scripts: { test: 'node test.js' },
				repository: { type: 'git', url: `git+https://example.invalid/bench/${base}.git` },
				keywords: base.split('-'),
				author: 'Bench Authors <bench@example.invalid>',
				license: 'MIT',
				engines: { node: '>=14' },
				dependencies,
			};
			const readme = `# ${p.name}\n\n${loremLines(r, 6, '')}\n\n## Usage\n\n\`\`\`js\nconst m = require('${p.name}');\n\`\`\`\n`;
			const files = [
				['package.json', JSON.stringify(pj, null, 2) + '\n'],
				['index.js', `'use strict';\nmodule.exports = require('./lib/${base}.js');\n`],
				[`lib/${base}.js`, sourceFile(r, p.name, v, 4 + Math.floor(r() * 6))],
				['README.md', readme],
				['LICENSE', MIT],
			];
			const tarball = tgz(files);
			const file = `${base}-${v}.tgz`;
			const fdir = path.join(dir, 'tgz', p.name.startsWith('@') ? p.name.split('/')[0] : '');
			fs.mkdirSync(fdir, { recursive: true });
			fs.writeFileSync(path.join(fdir, file), tarball);
			out.push({ name: p.name, version: v, file: path.relative(dir, path.join(fdir, file)), manifest: pj, readme, ...dist(tarball) });
		}
	}
	fs.writeFileSync(path.join(dir, 'tree.json'), JSON.stringify(out, null, 1) + '\n');
	// The consumer depends on every root (no dependents) and a few popular packages directly.
	const appDeps = {};
	for (const p of pkgs) {
		if (!p.dependents || r() < 0.1) {
			const majors = [...new Set(p.versions.map((v) => v.split('.')[0]))];
			appDeps[p.name] = '^' + majors[majors.length - 1] + '.0.0';
		}
	}
	fs.mkdirSync(path.join(dir, 'app'), { recursive: true });
	fs.writeFileSync(path.join(dir, 'app', 'package.json'), JSON.stringify({
		name: 'bench-consumer', version: '1.0.0', private: true, dependencies: appDeps,
	}, null, 2) + '\n');
	process.stdout.write(`${pkgs.length} packages, ${out.length} versions, ${Object.keys(appDeps).length} direct dependencies of the consumer\n`);
}

// ---------------------------------------------------------------- publishing
function agentFor(url) {
	return url.startsWith('https:') ? new https.Agent({ keepAlive: true, maxSockets: 8 }) : new http.Agent({ keepAlive: true, maxSockets: 8 });
}

function request(agent, method, url, headers, body) {
	return new Promise((resolve, reject) => {
		const u = new URL(url);
		const mod = u.protocol === 'https:' ? https : http;
		const req = mod.request(u, { method, agent, headers }, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
			res.on('error', reject);
		});
		req.on('error', reject);
		req.setTimeout(120000, () => req.destroy(new Error(`timeout: ${method} ${url}`)));
		if (body) req.write(body);
		req.end();
	});
}

function encodedName(name) { return name.replace('/', '%2f'); }

// The body `npm publish` (npm 11, libnpmpublish) sends for one version.
function publishBody(registry, name, version, manifest, readme, tarball, d) {
	const file = `${name}-${version}.tgz`; // scoped: "@scope/x-1.0.0.tgz", as libnpmpublish does
	const m = Object.assign({}, manifest, {
		readme, readmeFilename: 'README.md',
		_id: `${name}@${version}`, _nodeVersion: '20.20.2', _npmVersion: '11.19.1',
		dist: { integrity: d.integrity, shasum: d.shasum, tarball: `${registry}${name}/-/${file}` },
	});
	return JSON.stringify({
		_id: name, name, description: manifest.description, 'dist-tags': { latest: version },
		versions: { [version]: m }, access: null,
		_attachments: { [file]: { content_type: 'application/octet-stream', data: tarball.toString('base64'), length: tarball.length } },
	});
}

async function put(agent, registry, token, name, version, body) {
	const res = await request(agent, 'PUT', registry + encodedName(name), {
		'content-type': 'application/json', 'content-length': Buffer.byteLength(body), accept: '*/*',
		authorization: 'Bearer ' + token, 'user-agent': NPM_UA, 'npm-command': 'publish',
	}, body);
	if (res.status !== 200 && res.status !== 201) {
		throw new Error(`PUT ${registry}${encodedName(name)} (${version}) -> ${res.status}: ${res.body.toString().slice(0, 300)}`);
	}
}

async function publishTree(dir, registry, token, concurrency) {
	if (!registry.endsWith('/')) registry += '/';
	const tree = JSON.parse(fs.readFileSync(path.join(dir, 'tree.json'), 'utf8'));
	const byName = new Map();
	for (const e of tree) {
		if (!byName.has(e.name)) byName.set(e.name, []);
		byName.get(e.name).push(e);
	}
	const queue = [...byName.values()];
	const agent = agentFor(registry);
	let n = 0;
	async function worker() {
		for (let vs = queue.shift(); vs; vs = queue.shift()) {
			for (const e of vs) { // ascending: the last one published becomes latest
				const tarball = fs.readFileSync(path.join(dir, e.file));
				await put(agent, registry, token, e.name, e.version, publishBody(registry, e.name, e.version, e.manifest, e.readme, tarball, e));
				n++;
			}
		}
	}
	await Promise.all(Array.from({ length: concurrency }, worker));
	process.stdout.write(`published ${n} versions of ${byName.size} packages to ${registry}\n`);
}

function bigVersion(i) { // 0.0.0, 0.0.1, ..., 0.0.9, 0.1.0, ... (20 x 10 x 10 = 2,000 below 20.0.0)
	return `${Math.floor(i / 100)}.${Math.floor(i / 10) % 10}.${i % 10}`;
}

function bigManifest(name, i, version) {
	return {
		name, version,
		description: 'A package with very many versions, for the merged-packument benchmark of bench/npm.sh',
		main: 'dist/index.js', types: 'dist/index.d.ts',
		exports: { '.': { types: './dist/index.d.ts', require: './dist/index.js', import: './dist/index.mjs' }, './package.json': './package.json' },
		files: ['dist/'],
		scripts: { build: 'tsc -p tsconfig.build.json', test: 'node --test', lint: 'eslint src', prepublishOnly: 'npm run build' },
		repository: { type: 'git', url: 'git+https://example.invalid/bench/many-versions.git' },
		bugs: { url: 'https://example.invalid/bench/many-versions/issues' },
		homepage: 'https://example.invalid/bench/many-versions#readme',
		keywords: ['bench', 'many', 'versions', 'packument'],
		author: 'Bench Authors <bench@example.invalid>',
		license: 'MIT',
		engines: { node: '>=18' },
		dependencies: { 'bench-dep-a': `^${1 + (i % 3)}.0.0`, 'bench-dep-b': '^2.1.0', 'bench-dep-c': '~0.4.2' },
		devDependencies: { typescript: '^5.4.0', eslint: '^9.0.0', '@types/node': '^20.0.0' },
		gitHead: crypto.createHash('sha1').update(name + version).digest('hex'),
	};
}

const bigReadme = (name) => `# ${name}\n\nA package with very many versions.\n`;

function bigTarball(manifest) {
	return tgz([
		['package.json', JSON.stringify(manifest, null, 2) + '\n'],
		['dist/index.js', `'use strict';\nexports.version = '${manifest.version}';\n`],
	]);
}

async function publishBig(name, count, token, registries, from) {
	registries = registries.map((r) => (r.endsWith('/') ? r : r + '/'));
	const readme = bigReadme(name);
	const t0 = Date.now();
	let n = 0;
	await Promise.all(registries.map(async (registry, w) => {
		const agent = agentFor(registry);
		for (let i = w; i < count; i += registries.length) {
			if (i < from) continue;
			const version = bigVersion(i);
			const manifest = bigManifest(name, i, version);
			const tarball = bigTarball(manifest);
			await put(agent, registry, token, name, version, publishBody(registry, name, version, manifest, readme, tarball, dist(tarball)));
			n++;
			if (n % 500 === 0) process.stderr.write(`  ${n}/${count} versions published (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
		}
	}));
	process.stdout.write(`published ${n} versions of ${name} over ${registries.length} registr${registries.length === 1 ? 'y' : 'ies'}\n`);
}

// Verdaccio rewrites its whole package.json on every publish, so 2,000 PUTs take minutes
// (quadratic). Instead: versions [0, from) are published with PUT (publish-big), then this adds
// versions [from, count) to the stored document in exactly the shape Verdaccio 6 stores a
// published version (the manifest without readme, plus contributors: []; _attachments
// {file: {shasum, version}}; time), writes their tarballs beside it, and replaces the file
// atomically. Verdaccio reads package.json from disk on every request.
function seedVerdaccio(storage, name, count, from, registry) {
	if (!registry.endsWith('/')) registry += '/';
	const dir = path.join(storage, name);
	const file = path.join(dir, 'package.json');
	const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
	const have = Object.keys(doc.versions || {}).length;
	if (have !== from) throw new Error(`${file} holds ${have} versions, want ${from} (published with PUT) before seeding`);
	const t0 = Date.parse(doc.time.modified);
	let last;
	for (let i = from; i < count; i++) {
		const version = bigVersion(i);
		const manifest = bigManifest(name, i, version);
		const tarball = bigTarball(manifest);
		const d = dist(tarball);
		const tgzName = `${name}-${version}.tgz`;
		doc.versions[version] = Object.assign({}, manifest, {
			readmeFilename: 'README.md', _id: `${name}@${version}`, _nodeVersion: '20.20.2', _npmVersion: '11.19.1',
			dist: { integrity: d.integrity, shasum: d.shasum, tarball: `${registry}${name}/-/${tgzName}` },
			contributors: [],
		});
		doc._attachments[tgzName] = { shasum: d.shasum, version };
		last = new Date(t0 + (i - from + 1) * 10).toISOString();
		doc.time[version] = last;
		fs.writeFileSync(path.join(dir, tgzName), tarball);
	}
	doc.time.modified = last;
	doc['dist-tags'].latest = bigVersion(count - 1);
	doc._rev = `${count * 3}-${crypto.randomBytes(8).toString('hex')}`;
	fs.writeFileSync(file + '.tmp', JSON.stringify(doc, null, '\t'));
	fs.renameSync(file + '.tmp', file);
	process.stdout.write(`seeded ${count - from} more versions of ${name} into ${file}\n`);
}

async function checkBig(url, token, name, count, accept) {
	const res = await request(agentFor(url), 'GET', url, { accept, authorization: 'Bearer ' + token, 'user-agent': NPM_UA });
	if (res.status !== 200) throw new Error(`GET ${url} -> ${res.status}: ${res.body.toString().slice(0, 300)}`);
	const doc = JSON.parse(res.body.toString('utf8'));
	if (doc.name !== name) throw new Error(`${url}: name ${doc.name}, want ${name}`);
	const vs = Object.keys(doc.versions || {});
	if (vs.length !== count) throw new Error(`${url}: ${vs.length} versions, want ${count}`);
	const h = crypto.createHash('sha1');
	for (let i = 0; i < count; i++) {
		const v = doc.versions[bigVersion(i)];
		if (!v || !v.dist || !v.dist.tarball || !v.dist.integrity) throw new Error(`${url}: version ${bigVersion(i)} missing or without dist.tarball/integrity`);
		h.update(`${bigVersion(i)} ${v.dist.integrity}\n`);
	}
	if ((doc['dist-tags'] || {}).latest !== bigVersion(count - 1)) throw new Error(`${url}: dist-tags.latest is ${(doc['dist-tags'] || {}).latest}, want ${bigVersion(count - 1)}`);
	process.stdout.write(`${vs.length} ${res.body.length} ${h.digest('hex')}\n`);
}

function lockset(file) {
	const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
	const lines = [];
	for (const [p, e] of Object.entries(lock.packages || {})) {
		if (p === '') continue;
		lines.push(`${p} ${e.version} ${e.integrity}`);
	}
	lines.sort();
	process.stdout.write(lines.join('\n') + '\n');
}

// ---------------------------------------------------------------- main
async function main() {
	const [cmd, ...a] = process.argv.slice(2);
	switch (cmd) {
	case 'tree': return genTree(a[0], parseInt(a[1] || '50', 10), parseInt(a[2] || '1', 10));
	case 'publish-tree': return publishTree(a[0], a[1], a[2], parseInt(a[3] || '4', 10));
	case 'publish-big': return publishBig(a[0], parseInt(a[1], 10), a[2], a[3].split(','), parseInt(a[4] || '0', 10));
	case 'seed-verdaccio': return seedVerdaccio(a[0], a[1], parseInt(a[2], 10), parseInt(a[3], 10), a[4]);
	case 'check-big': return checkBig(a[0], a[1], a[2], parseInt(a[3], 10), a[4]);
	case 'lockset': return lockset(a[0]);
	default:
		process.stderr.write('usage: gen.js tree|publish-tree|publish-big|check-big|lockset ... (see the comment at the top)\n');
		process.exit(2);
	}
}
main().catch((e) => { process.stderr.write(`gen.js: ${e.message}\n`); process.exit(1); });
