"""Rounding of Winograd convolutions F(m, r) in float32, against the exact (float64) sum, on random inputs in [-1, 1).

Prints, for 1-D F(2,3), F(4,3), F(2,7), F(3,7), F(4,7) (192 input channels) and 2-D F(2x2,3x3), F(4x4,3x3),
F(3x3,3x3) (96 input channels), the largest and the root-mean-square error of an output divided by its sum of absolute
products S = sum |x|*|k|, beside the same for the direct float sum (one fma-free chain over channels and taps), and
their ratios. The transforms are Lavin's Toom-Cook construction on the points listed (infinity last); the channel sum
of the transformed products is a sequential float32 sum, as the engine's GEMM does it. WinogradTest's bound for
F(2x2,3x3) is 2**-20 * S (9.5e-7 S). Needs numpy:  python3 bench/winograd_rounding.py
"""
import numpy as np
from fractions import Fraction as Fr
rng = np.random.default_rng(1)

def matrices(m, r, pts):
    a = m + r - 1
    assert len(pts) == a - 1
    AT = np.zeros((m, a)); G = np.zeros((a, r))
    for j, p in enumerate(pts):
        for i in range(m): AT[i, j] = p ** i
        N = np.prod([p - q for q in pts if q != p])
        for k in range(r): G[j, k] = p ** k / N
    AT[m - 1, a - 1] = 1; G[a - 1, r - 1] = 1
    # B^T: for each input position s solve sum_j AT[i,j] G[j,k] b_j = [s == i+k]
    rows = [(i, k) for i in range(m) for k in range(r)]
    K = np.array([[AT[i, j] * G[j, k] for j in range(a)] for (i, k) in rows])
    BT = np.zeros((a, a))
    for s in range(a):
        rhs = np.array([1.0 if s == i + k else 0.0 for (i, k) in rows])
        b, *_ = np.linalg.lstsq(K, rhs, rcond=None)
        assert np.allclose(K @ b, rhs, atol=1e-9)
        BT[:, s] = b
    return AT, G, BT

def trial(m, r, pts, C=192, O=8, tiles=2000):
    a = m + r - 1
    AT, G, BT = matrices(m, r, pts)
    x = rng.uniform(-1, 1, (tiles, C, a)); k = rng.uniform(-1, 1, (C, r, O))
    # exact direct
    exact = np.einsum('tcik,cko->tio', np.stack([x[:, :, i:i + r] for i in range(m)], axis=2), k)
    S = np.einsum('tcik,cko->tio', np.abs(np.stack([x[:, :, i:i + r] for i in range(m)], axis=2)), np.abs(k))
    f = np.float32
    x32, k32 = x.astype(f), k.astype(f)
    # winograd in float32; channel sum sequential
    U = np.einsum('jk,cko->cjo', G.astype(f), k32).astype(f)        # (C, a, O)
    V = np.einsum('js,tcs->tcj', BT.astype(f), x32).astype(f)       # (tiles, C, a)
    P = (V[:, :, :, None] * U[None, :, :, :]).astype(f)             # (tiles, C, a, O)
    M = np.cumsum(P, axis=1, dtype=f)[:, -1]                        # (tiles, a, O)
    Y = np.einsum('ij,tjo->tio', AT.astype(f), M).astype(f)
    # direct float: sequential over (c, tap)
    win = np.stack([x32[:, :, i:i + r] for i in range(m)], axis=2)  # tiles, C, m, r
    prod = (win[..., None] * k32[None, :, None, :, :]).astype(f)    # tiles, C, m, r, O
    prod = prod.transpose(0, 2, 4, 1, 3).reshape(tiles, m, O, C * r)
    D = np.cumsum(prod, axis=-1, dtype=f)[..., -1]
    ew = np.abs(Y - exact) / S; ed = np.abs(D - exact) / S
    return ew.max(), np.sqrt((ew ** 2).mean()), ed.max(), np.sqrt((ed ** 2).mean())

def report(name, wmax, wrms, dmax, drms):
    print(f"{name}: winograd max {wmax:.2e} rms {wrms:.2e} | direct max {dmax:.2e} rms {drms:.2e}"
          f" | ratio max {wmax / dmax:.1f} rms {wrms / drms:.1f}")

def trial2d(m, r, pts, C=96, O=4, tiles=600):
    a = m + r - 1
    AT, G, BT = matrices(m, r, pts)
    AT2, G2, BT2 = np.kron(AT, AT), np.kron(G, G), np.kron(BT, BT)
    x = rng.uniform(-1, 1, (tiles, C, a, a)); k = rng.uniform(-1, 1, (C, r, r, O))
    win = np.stack([np.stack([x[:, :, i:i + r, j:j + r] for j in range(m)], axis=2) for i in range(m)], axis=2)  # t,C,m,m,r,r
    exact = np.einsum('tcijab,cabo->tijo', win, k); S = np.einsum('tcijab,cabo->tijo', np.abs(win), np.abs(k))
    f = np.float32
    x32, k32 = x.astype(f), k.astype(f)
    U = np.einsum('jk,cko->cjo', G2.astype(f), k32.reshape(C, r * r, O)).astype(f)
    V = np.einsum('js,tcs->tcj', BT2.astype(f), x32.reshape(tiles, C, a * a)).astype(f)
    M = np.cumsum((V[:, :, :, None] * U[None]).astype(f), axis=1, dtype=f)[:, -1]
    Y = np.einsum('ij,tjo->tio', AT2.astype(f), M).astype(f).reshape(tiles, m, m, O)
    w32 = win.astype(f)
    prod = (w32[..., None] * k32[None, :, None, None]).astype(f)  # t,C,m,m,r,r,O
    prod = prod.transpose(0, 2, 3, 6, 1, 4, 5).reshape(tiles, m, m, O, -1)
    D = np.cumsum(prod, axis=-1, dtype=f)[..., -1]
    ew = np.abs(Y - exact) / S; ed = np.abs(D - exact) / S
    return ew.max(), np.sqrt((ew ** 2).mean()), ed.max(), np.sqrt((ed ** 2).mean())

h = 0.5
for name, m, r, pts in [("F(2,3)", 2, 3, [0, 1, -1]), ("F(4,3)", 4, 3, [0, 1, -1, 2, -2]),
                        ("F(2,7)", 2, 7, [0, 1, -1, 2, -2, h, -h]),
                        ("F(3,7)", 3, 7, [0, 1, -1, 2, -2, h, -h, 3]),
                        ("F(4,7)", 4, 7, [0, 1, -1, 2, -2, h, -h, 3, -3])]:
    report(name, *trial(m, r, pts))

for name, m, r, pts in [("F(2x2,3x3)", 2, 3, [0, 1, -1]), ("F(4x4,3x3)", 4, 3, [0, 1, -1, 2, -2]), ("F(3x3,3x3)", 3, 3, [0, 1, -1, 2])]:
    report(name, *trial2d(m, r, pts))
