'use strict';
// Performance fixes Sluice applies inside the Azurite it starts (local/azurite.ts), before Azurite loads. Each
// changes only what a request costs, never its answer; each applies only to the code it was written against and
// leaves anything else alone. docs/local-host.md says why.

/**
 * lokijs 1.5 removes an array of documents by re-sorting every index of the collection from scratch, even for an
 * empty array. Azurite removes that way on every queue receive and delete (a queue's expired messages, usually none)
 * and for every blob extent it frees. Here an empty removal changes nothing, and a removal of one document takes
 * lokijs's own single-document path, which updates the indices in place.
 */
function patchLoki(loki, version) {
  const proto = loki && loki.Collection && loki.Collection.prototype;
  const batch = proto && proto.removeBatchByPositions;
  if (!/^1\.5\./.test(version) || typeof batch !== 'function' || typeof proto.remove !== 'function') return false;
  proto.removeBatchByPositions = function (positions) {
    if (positions.length === 0) return undefined;
    if (positions.length === 1 && this.data[positions[0]]) return void this.remove(this.data[positions[0]]);
    return batch.call(this, positions);
  };
  return true;
}

/**
 * The partition a table query's OData filter is confined to: the literal of a leading `PartitionKey eq '…'` that is
 * the whole filter or is followed by `and`, with no `or` outside parentheses and quotes (so the filter is a
 * conjunction that includes it). Anything else — another shape, a function, a parenthesised start — is undefined,
 * and the query scans as before.
 */
function partitionOfFilter(filter) {
  if (typeof filter !== 'string') return undefined;
  const m = /^\s*PartitionKey\s+eq\s+'((?:[^']|'')*)'(\s*$|\s+and\s)/.exec(filter);
  if (!m) return undefined;
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < filter.length; i++) {
    const c = filter[i];
    if (quoted) {
      if (c === "'") {
        if (filter[i + 1] === "'") i++;
        else quoted = false;
      }
    } else if (c === "'") quoted = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && /\s/.test(c) && /^\s+or\s/i.test(filter.slice(i))) return undefined;
  }
  return m[1].replace(/''/g, "'");
}

/**
 * Azurite answers a table query by running its filter over every entity of the table, so a query of one partition
 * cost as much as the whole table holds — and a local stack's tables only grow (each step's result reads its run's
 * rows this way). A query confined to one partition now starts from lokijs's index on PartitionKey; Azurite's own
 * filter, order and paging then run on that partition's entities as they ran on all of them.
 */
function patchTableQueries(proto) {
  const query = proto && proto.queryTableEntities;
  if (typeof query !== 'function' || typeof proto.getEntityCollection !== 'function') return false;
  // The code this was written against: the filter runs on `chain()` of the table's collection, before any await.
  if (!/\.chain\(\)\s*\.where\(queryWhere\)/.test(String(query)) || /\bawait\b/.test(String(query))) return false;
  proto.queryTableEntities = function (context, account, table, queryOptions) {
    const partition = partitionOfFilter(queryOptions && queryOptions.filter);
    if (partition === undefined) return query.apply(this, arguments);
    let collection;
    try {
      collection = this.getEntityCollection(account, table, context);
    } catch {
      return query.apply(this, arguments); // Azurite answers the error itself
    }
    const chain = collection.chain;
    collection.chain = function () {
      return chain.apply(this, arguments).find({ PartitionKey: partition });
    };
    try {
      // Synchronous up to its answer, so the narrowed chain() is this call's alone.
      return query.apply(this, arguments);
    } finally {
      collection.chain = chain;
    }
  };
  return true;
}

/**
 * uri-templates parses its template each time one is made, and Azurite makes one for every operation its dispatch
 * tries on every request (tens per request: each operation of the service with the request's method). A template is
 * immutable once made (`fill` and `fromUri` only read what the constructor built), so the same object serves every
 * request with that template string. Returns the caching factory, or undefined for a module of another shape.
 */
function cachedUriTemplates(UriTemplate) {
  if (typeof UriTemplate !== 'function') return undefined;
  const probe = UriTemplate('/{a}');
  if (!probe || typeof probe.fromUri !== 'function' || typeof probe.fill !== 'function') return undefined;
  const made = new Map();
  const cached = function (template) {
    if (typeof template !== 'string') return UriTemplate(template);
    let t = made.get(template);
    if (!t) {
      t = UriTemplate(template);
      // Templates come from Azurite's operation specifications, a fixed set; a bound keeps an odd caller harmless.
      if (made.size < 1000) made.set(template, t);
    }
    return t;
  };
  cached.prototype = UriTemplate.prototype;
  return cached;
}

/**
 * uuid 3's random source asks the operating system for 16 bytes per identifier, and Azurite makes at least one per
 * request (its request id): one system call each. Bytes are now taken from a pool refilled 4 KiB at a time, as
 * later versions of uuid and Node's own `crypto.randomUUID` do; each call still gets 16 fresh bytes of its own.
 */
function pooledRandom(randomFillSync) {
  const pool = Buffer.alloc(4096);
  let at = pool.length;
  return function nodeRNG() {
    if (at + 16 > pool.length) {
      randomFillSync(pool);
      at = 0;
    }
    const bytes = Buffer.from(pool.subarray(at, at + 16));
    at += 16;
    return bytes;
  };
}

/** Replaces what `require` answers for the module at `path` (loaded first) with `make(its exports)`, if defined. */
function replaceModule(path, make) {
  const original = require(path);
  const replacement = make(original);
  if (replacement === undefined) return false;
  require.cache[path].exports = replacement;
  return true;
}

/**
 * Applies them to the Azurite whose entry file is `entry` (a module that is not there is left alone) and says which
 * applied on one line of output, which local/azurite.ts reads.
 */
function apply(entry) {
  const from = { paths: [entry] };
  const applied = [];
  try {
    const lokiPath = require.resolve('lokijs', from);
    if (patchLoki(require(lokiPath), require(require.resolve('lokijs/package.json', from)).version)) {
      applied.push('lokijs-removals');
    }
  } catch {
    // not the lokijs this was written for
  }
  try {
    const store = require(require.resolve('azurite/dist/src/table/persistence/LokiTableMetadataStore.js', from));
    if (patchTableQueries(store && store.default && store.default.prototype)) applied.push('table-partition-queries');
  } catch {
    // not the Azurite this was written for
  }
  try {
    if (replaceModule(require.resolve('uri-templates', from), cachedUriTemplates)) applied.push('uri-template-cache');
  } catch {
    // no uri-templates where Azurite looks for it
  }
  try {
    const uuid = require(require.resolve('uuid/package.json', from));
    const rng = /^3\./.test(uuid.version) ? require.resolve('uuid/lib/rng.js', from) : undefined;
    // The module answers a function that returns 16 random bytes; anything else is not the one this was written for.
    const pooled = (original) =>
      typeof original === 'function' && original().length === 16
        ? pooledRandom(require('crypto').randomFillSync)
        : undefined;
    if (rng && replaceModule(rng, pooled)) applied.push('uuid-random-pool');
  } catch {
    // not the uuid this was written for
  }
  console.log(`Sluice patches applied: ${applied.join(', ') || 'none'}`);
}

module.exports = { apply, patchLoki, patchTableQueries, partitionOfFilter, cachedUriTemplates, pooledRandom };
