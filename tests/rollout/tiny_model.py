#!/usr/bin/env python3
"""Writes a tiny random Qwen2/Llama model (config.json + safetensors) and, with --cases, an
independent float64 numpy forward's logits for a few token sequences.

Nothing here shares code with the C++ loader: safetensors is written by hand (bf16 rounded to
nearest even), and the reference forward recomputes every position from scratch (no KV cache).
Usage: tiny_model.py OUT_DIR [--dtype f32|bf16|f16] [--arch qwen2|llama] [--vocab N] [--shards K]
                     [--tie] [--drop NAME] [--reshape NAME] [--cases]
                     [--rope-scaling linear|dynamic|llama3] [--max-pos N]
                     [--sliding-window W --max-window-layers N]
The rope_scaling types and the sliding window follow HF transformers' definitions
(modeling_rope_utils: _compute_{linear_scaling,dynamic_ntk,llama3}_parameters; Qwen2's
"sliding_attention" layers l >= max_window_layers see keys k with q - k < sliding_window).
"""
import argparse, json, os, struct
import numpy as np


def to_bf16_bits(a):
    u = np.ascontiguousarray(a, dtype=np.float32).view(np.uint32).astype(np.uint64)
    bits = (u + 0x7FFF + ((u >> 16) & 1)) >> 16
    return bits.astype(np.uint16)


def stored(a, dtype):
    """(raw bytes, the float64 values the file really holds)."""
    if dtype == "f32":
        x = a.astype(np.float32)
        return x.tobytes(), x.astype(np.float64)
    if dtype == "f16":
        x = a.astype(np.float16)
        return x.tobytes(), x.astype(np.float64)
    b = to_bf16_bits(a)
    return b.tobytes(), (b.astype(np.uint32) << 16).view(np.float32).astype(np.float64)


def write_safetensors(path, entries):
    """entries: list of (name, dtype tag, shape, raw bytes)."""
    header, off = {}, 0
    for name, tag, shape, raw in entries:
        header[name] = {"dtype": tag, "shape": list(shape), "data_offsets": [off, off + len(raw)]}
        off += len(raw)
    header["__metadata__"] = {"format": "pt"}
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h)
        for _, _, _, raw in entries:
            f.write(raw)


def make(args):
    rng = np.random.default_rng(args.seed)
    H, NH, NKV, I, L, V = args.hidden, args.heads, args.kv_heads, args.inter, args.layers, args.vocab
    HD = H // NH
    cfg = {"architectures": ["Qwen2ForCausalLM" if args.arch == "qwen2" else "LlamaForCausalLM"],
           "model_type": args.arch, "hidden_size": H, "intermediate_size": I,
           "num_hidden_layers": L, "num_attention_heads": NH, "num_key_value_heads": NKV,
           "vocab_size": V, "rms_norm_eps": 1e-6, "rope_theta": 10000.0,
           "max_position_embeddings": args.max_pos, "tie_word_embeddings": bool(args.tie),
           "eos_token_id": args.eos, "torch_dtype": "bfloat16"}
    if args.arch == "llama":
        cfg["attention_bias"] = False
    if args.rope_scaling == "linear":
        cfg["rope_scaling"] = {"type": "linear", "factor": 2.5}  # the older key, as HF accepts
    elif args.rope_scaling == "dynamic":
        cfg["rope_scaling"] = {"rope_type": "dynamic", "factor": 4.0}
    elif args.rope_scaling == "llama3":
        # head_dim 16: wavelengths 6.3 .. 19869 straddle 64/4 and 64/1, so every branch runs.
        cfg["rope_scaling"] = {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                               "high_freq_factor": 4.0, "original_max_position_embeddings": 64}
    if args.sliding_window:
        cfg.update(use_sliding_window=True, sliding_window=args.sliding_window,
                   max_window_layers=args.max_window_layers)
    t = {}
    t["model.embed_tokens.weight"] = rng.normal(0, 1.0, (V, H)).astype(np.float32)
    t["model.norm.weight"] = 1 + 0.1 * rng.normal(size=H)
    if not args.tie:
        t["lm_head.weight"] = rng.normal(0, 1 / np.sqrt(H), (V, H))
    for l in range(L):
        p = f"model.layers.{l}."
        t[p + "input_layernorm.weight"] = 1 + 0.1 * rng.normal(size=H)
        t[p + "post_attention_layernorm.weight"] = 1 + 0.1 * rng.normal(size=H)
        for name, rows in (("q", NH * HD), ("k", NKV * HD), ("v", NKV * HD)):
            t[p + f"self_attn.{name}_proj.weight"] = rng.normal(0, 1.5 / np.sqrt(H), (rows, H))
            if args.arch == "qwen2":
                t[p + f"self_attn.{name}_proj.bias"] = 0.2 * rng.normal(size=rows)
        t[p + "self_attn.o_proj.weight"] = rng.normal(0, 1 / np.sqrt(NH * HD), (H, NH * HD))
        t[p + "mlp.gate_proj.weight"] = rng.normal(0, 1 / np.sqrt(H), (I, H))
        t[p + "mlp.up_proj.weight"] = rng.normal(0, 1 / np.sqrt(H), (I, H))
        t[p + "mlp.down_proj.weight"] = rng.normal(0, 1 / np.sqrt(I), (H, I))
    if args.chain:
        # Layers write nothing to the residual stream, so the last hidden state is the current
        # token's embedding; lm_head row j points at the tokens that j follows.
        for l in range(L):
            t[f"model.layers.{l}.self_attn.o_proj.weight"][:] = 0
            t[f"model.layers.{l}.mlp.down_proj.weight"][:] = 0
        t["model.norm.weight"][:] = 1
        e = t["model.embed_tokens.weight"]
        head = np.zeros((V, H))
        for pair in args.chain.split(","):
            a, b = (int(x) for x in pair.split(":"))
            head[b] += 40 * e[a] / np.linalg.norm(e[a])
        t["lm_head.weight"] = head
    tag = {"f32": "F32", "f16": "F16", "bf16": "BF16"}[args.dtype]
    entries, ref = [], {}
    for name, a in t.items():
        raw, val = stored(a, args.dtype)
        ref[name] = val
        shape = a.shape
        if name == args.reshape:
            shape = (shape[0] // 2, shape[1] * 2) if len(shape) == 2 else (1, shape[0])
        if name != args.drop:
            entries.append((name, tag, shape, raw))
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "config.json"), "w") as f:
        json.dump(cfg, f, indent=1)
    if args.writer == "safetensors":
        from safetensors.numpy import save_file
        np_dtype = {"f32": np.float32, "f16": np.float16}[args.dtype]
        save_file({n: np.frombuffer(raw, np_dtype).reshape(shape) for n, _, shape, raw in entries},
                  os.path.join(args.out, "model.safetensors"))
    elif args.shards <= 1:
        write_safetensors(os.path.join(args.out, "model.safetensors"), entries)
    else:
        weight_map = {}
        for k in range(args.shards):
            fname = f"model-{k + 1:05d}-of-{args.shards:05d}.safetensors"
            part = entries[k::args.shards]
            write_safetensors(os.path.join(args.out, fname), part)
            for e in part:
                weight_map[e[0]] = fname
        with open(os.path.join(args.out, "model.safetensors.index.json"), "w") as f:
            json.dump({"metadata": {}, "weight_map": weight_map}, f)
    return cfg, ref


def forward(cfg, w, tokens):
    """float64 logits [T, V] of a causal LM over `tokens`, recomputed from scratch."""
    H, NH, NKV = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
    HD, T, eps = H // NH, len(tokens), cfg["rms_norm_eps"]

    def rms(x, g):
        return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps) * g

    def inv_freq():
        base, rs = cfg["rope_theta"], cfg.get("rope_scaling") or {}
        kind = rs.get("rope_type", rs.get("type", "default"))
        if kind == "dynamic" and T > cfg["max_position_embeddings"]:
            f, m = rs["factor"], cfg["max_position_embeddings"]
            base = base * ((f * T / m) - (f - 1)) ** (HD / (HD - 2))
        inv = 1.0 / base ** (np.arange(0, HD, 2) / HD)
        if kind == "linear":
            inv = inv / rs["factor"]
        elif kind == "llama3":
            f, lo, hi = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"]
            old = rs["original_max_position_embeddings"]
            wavelen = 2 * np.pi / inv
            scaled = np.where(wavelen > old / lo, inv / f, inv)
            smooth = (old / wavelen - lo) / (hi - lo)
            smoothed = (1 - smooth) * scaled / f + smooth * scaled
            medium = ~(wavelen < old / hi) & ~(wavelen > old / lo)
            inv = np.where(medium, smoothed, scaled)
        return inv

    def rope(x):  # x: [T, heads, HD]
        inv = inv_freq()
        ang = np.arange(T)[:, None] * inv[None, :]
        cos, sin = np.cos(ang)[:, None, :], np.sin(ang)[:, None, :]
        a, b = x[..., : HD // 2], x[..., HD // 2:]
        return np.concatenate([a * cos - b * sin, b * cos + a * sin], axis=-1)

    x = w["model.embed_tokens.weight"][tokens]
    for l in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{l}."
        h = rms(x, w[p + "input_layernorm.weight"])
        proj = {}
        for n in "qkv":
            proj[n] = h @ w[p + f"self_attn.{n}_proj.weight"].T
            if p + f"self_attn.{n}_proj.bias" in w:
                proj[n] = proj[n] + w[p + f"self_attn.{n}_proj.bias"]
        q = rope(proj["q"].reshape(T, NH, HD))
        k = rope(proj["k"].reshape(T, NKV, HD))
        v = proj["v"].reshape(T, NKV, HD)
        out = np.zeros((T, NH, HD))
        mask = np.triu(np.full((T, T), -np.inf), 1)
        if cfg.get("use_sliding_window") and l >= cfg["max_window_layers"]:
            w_ = cfg["sliding_window"]
            mask = mask + np.tril(np.full((T, T), -np.inf), -w_)  # q - k >= W is hidden
        for hh in range(NH):
            g = hh // (NH // NKV)
            s = q[:, hh] @ k[:, g].T / np.sqrt(HD) + mask
            s = np.exp(s - s.max(axis=1, keepdims=True))
            out[:, hh] = (s / s.sum(axis=1, keepdims=True)) @ v[:, g]
        x = x + out.reshape(T, NH * HD) @ w[p + "self_attn.o_proj.weight"].T
        h = rms(x, w[p + "post_attention_layernorm.weight"])
        gate = h @ w[p + "mlp.gate_proj.weight"].T
        up = h @ w[p + "mlp.up_proj.weight"].T
        x = x + (gate / (1 + np.exp(-gate)) * up) @ w[p + "mlp.down_proj.weight"].T
    x = rms(x, w["model.norm.weight"])
    head = w.get("lm_head.weight", w["model.embed_tokens.weight"])
    return x @ head.T


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--dtype", default="f32", choices=["f32", "bf16", "f16"])
    ap.add_argument("--arch", default="qwen2", choices=["qwen2", "llama"])
    ap.add_argument("--vocab", type=int, default=97)
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--kv-heads", type=int, default=2)
    ap.add_argument("--inter", type=int, default=96)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--shards", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--eos", type=int, default=0)
    ap.add_argument("--tie", action="store_true")
    ap.add_argument("--drop")
    ap.add_argument("--reshape")
    ap.add_argument("--cases", action="store_true")
    ap.add_argument("--writer", default="own", choices=["own", "safetensors"],
                    help="who writes the file: this script, or the HF safetensors package (f32/f16)")
    ap.add_argument("--rope-scaling", choices=["linear", "dynamic", "llama3"])
    ap.add_argument("--max-pos", type=int, default=512)
    ap.add_argument("--sliding-window", type=int, default=0)
    ap.add_argument("--max-window-layers", type=int, default=0)
    ap.add_argument("--chain", help="'a:b,a:c,...' token transitions: a scripted Markov chain")
    args = ap.parse_args()
    cfg, w = make(args)
    if not args.cases:
        return
    rng = np.random.default_rng(args.seed + 100)
    V = cfg["vocab_size"]
    pa = list(rng.integers(0, V, 7))
    seqs = [pa + list(rng.integers(0, V, 20)), list(rng.integers(0, V, 24)),
            pa + list(rng.integers(0, V, 20)), list(rng.integers(0, V, 21))]
    prompt_lens = [7, 4, 7, 1]
    cases = []
    for i, (s, p) in enumerate(zip(seqs, prompt_lens)):
        logits = forward(cfg, w, np.array(s))
        name = f"ref_{i}.f64"
        logits.astype("<f8").tofile(os.path.join(args.out, name))
        cases.append({"tokens": [int(x) for x in s], "prompt_len": p, "ref": name})
    with open(os.path.join(args.out, "cases.json"), "w") as f:
        json.dump({"cases": cases}, f)


if __name__ == "__main__":
    main()
