/**
 * The library as the bench measures it: compiled by tsc (dist/, `npm run bench` builds it
 * first), as users run the package, rather than lib/ through tsx's on-the-fly transform,
 * whose wrapper around every function made at run time cost about 6% of a handshake.
 */
export * from '../dist/index.js';
