/**
 * Minimum-cost assignment for a dense n×m cost matrix with n <= m (Kuhn–Munkres with
 * potentials, O(n²m)). Returns, for each row, the column it is assigned to. Matching uses
 * sparseMaxWeightMatching; this is the dense reference it is tested against.
 */
export function hungarian(cost: Float64Array, n: number, m: number): Int32Array {
  if (n > m) throw new Error('hungarian: needs rows <= columns');
  const INF = Number.POSITIVE_INFINITY;
  const u = new Float64Array(n + 1), v = new Float64Array(m + 1);
  const p = new Int32Array(m + 1), way = new Int32Array(m + 1);
  const minv = new Float64Array(m + 1);
  const used = new Uint8Array(m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    minv.fill(INF);
    used.fill(0);
    do {
      used[j0] = 1;
      const i0 = p[j0];
      let delta = INF, j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = cost[(i0 - 1) * m + (j - 1)] - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else minv[j] -= delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0);
  }
  const rowToCol = new Int32Array(n).fill(-1);
  for (let j = 1; j <= m; j++) if (p[j]) rowToCol[p[j] - 1] = j - 1;
  return rowToCol;
}

/**
 * Maximum-weight matching in a sparse bipartite graph with positive edge weights: rows
 * [0, n), columns [0, m), edges (row[e], col[e], weight[e]). Returns, for each row, the
 * edge e it is matched by, or −1. Shortest augmenting paths (Dijkstra on reduced costs,
 * Jonker–Volgenant potentials) over the edges only, each search stopping at the first
 * free column; a row may stay unmatched (a private zero-cost column stands for that).
 * O(E log V) per search and no n×m matrix, so long chains of overlapping labels (one
 * connected cluster) cost seconds where the dense solver took minutes.
 */
export function sparseMaxWeightMatching(n: number, m: number, row: ArrayLike<number>, col: ArrayLike<number>, weight: ArrayLike<number>): Int32Array {
  // CSR adjacency per row; column m + r is row r's "unmatched" column (cost 0)
  const start = new Int32Array(n + 1);
  for (let e = 0; e < row.length; e++) start[row[e] + 1]++;
  for (let r = 0; r < n; r++) start[r + 1] += start[r] + 1;
  const adjCol = new Int32Array(start[n]), adjCost = new Float64Array(start[n]), adjEdge = new Int32Array(start[n]).fill(-1);
  const fill = start.slice(0, n);
  for (let e = 0; e < row.length; e++) {
    const k = fill[row[e]]++;
    adjCol[k] = col[e];
    adjCost[k] = -weight[e];
    adjEdge[k] = e;
  }
  for (let r = 0; r < n; r++) adjCol[fill[r]] = m + r;

  const M = m + n;
  const v = new Float64Array(M);
  const colRow = new Int32Array(M).fill(-1);
  // rowAt[r]: r's matched entry in the adjacency (its column, cost and edge)
  const rowAt = new Int32Array(n).fill(-1);
  const dist = new Float64Array(M).fill(Infinity);
  const predRow = new Int32Array(M), predAt = new Int32Array(M);
  const scanned = new Int32Array(M).fill(-1);
  const touched: number[] = [], done: number[] = [];
  const heap = new MinHeap();

  for (let s = 0; s < n; s++) {
    const relax = (i: number, base: number) => {
      for (let k = start[i]; k < start[i + 1]; k++) {
        const j = adjCol[k];
        if (scanned[j] === s) continue;
        const d = base + adjCost[k] - v[j];
        if (d < dist[j]) {
          if (dist[j] === Infinity) touched.push(j);
          dist[j] = d;
          predRow[j] = i;
          predAt[j] = k;
          heap.push(d, colRow[j] < 0 ? 0 : 1, j);
        }
      }
    };
    relax(s, 0);
    let end = -1;
    while (heap.size > 0) {
      const j = heap.pop();
      if (scanned[j] === s) continue;
      scanned[j] = s;
      done.push(j);
      const i = colRow[j];
      if (i < 0) {
        end = j;
        break;
      }
      // length of i's own edge is its minimum reduced cost, so later edges are >= 0
      relax(i, dist[j] - (adjCost[rowAt[i]] - v[j]));
    }
    // the private column of s is always free, so a path always exists
    const dmin = dist[end];
    for (const j of done) v[j] += dist[j] - dmin;
    for (let j = end; ; ) {
      const i = predRow[j], prev = rowAt[i] < 0 ? -1 : adjCol[rowAt[i]];
      rowAt[i] = predAt[j];
      colRow[j] = i;
      if (i === s) break;
      j = prev;
    }
    for (const j of touched) dist[j] = Infinity;
    touched.length = 0;
    done.length = 0;
    heap.clear();
  }
  return rowAt.map((k) => adjEdge[k]);
}

/**
 * A binary min-heap of values ordered by (key, tie); stale entries are skipped by the
 * caller. Free columns get tie 0 so a search among equal distances ends at once.
 */
class MinHeap {
  private keys: number[] = [];
  private ties: number[] = [];
  private vals: number[] = [];

  get size(): number {
    return this.keys.length;
  }

  clear(): void {
    this.keys.length = 0;
    this.ties.length = 0;
    this.vals.length = 0;
  }

  push(key: number, tie: number, val: number): void {
    const K = this.keys, T = this.ties, V = this.vals;
    let i = K.length;
    K.push(key);
    T.push(tie);
    V.push(val);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (K[p] < key || (K[p] === key && T[p] <= tie)) break;
      K[i] = K[p];
      T[i] = T[p];
      V[i] = V[p];
      i = p;
    }
    K[i] = key;
    T[i] = tie;
    V[i] = val;
  }

  /** Removes the pair with the smallest key and returns its value. */
  pop(): number {
    const K = this.keys, T = this.ties, V = this.vals;
    const top = V[0];
    const key = K.pop()!, tie = T.pop()!, val = V.pop()!;
    const n = K.length;
    const less = (a: number, b: number) => K[a] < K[b] || (K[a] === K[b] && T[a] < T[b]);
    if (n > 0) {
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && less(c + 1, c)) c++;
        if (K[c] > key || (K[c] === key && T[c] >= tie)) break;
        K[i] = K[c];
        T[i] = T[c];
        V[i] = V[c];
        i = c;
      }
      K[i] = key;
      T[i] = tie;
      V[i] = val;
    }
    return top;
  }
}
