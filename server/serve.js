// `npm start` / `npm run serve` (and the tests' servers): the adapter-node build, with a sensible
// ORIGIN. Without one adapter-node assumes https, so on http://localhost every same-site POST
// would look cross-site and cookies would be marked Secure. Behind a proxy, set ORIGIN to the
// public URL. BUILD_DIR picks another build (npm test's build-test).
// Gestione saldi uploads CSV files up to 2 MB through a form action; tRPC keeps its own 256 KiB cap.
process.env.BODY_SIZE_LIMIT ??= '3M';
process.env.ORIGIN ??= `http://localhost:${process.env.PORT ?? 3000}`;
await import(new URL(`../${process.env.BUILD_DIR ?? 'build'}/index.js`, import.meta.url).href);
