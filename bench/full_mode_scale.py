"""Evidence behind the full-mode scale tables in the notebooks' first cells (issue 15).

Per-step FLOPs (torch's FlopCounterMode), bf16 activation bytes saved for backward (deduplicated
storages), parameter counts and single-thread CPU seconds of the notebooks' full-mode models, at a
small batch, scaled linearly to the full batch. Prints JSON lines."""

import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.flop_counter import FlopCounterMode

torch.set_num_threads(1)
torch.manual_seed(0)


def measure(name, model, make_batch, loss_fn, small, full, cpu_steps=1):
    params = sum(p.numel() for p in model.parameters())
    x = make_batch(small)
    with FlopCounterMode(display=False) as fc:
        loss_fn(model, x).backward()
    flops = fc.get_total_flops()
    seen, saved = set(), [0]

    def pack(t):
        s = t.untyped_storage()
        if s.data_ptr() not in seen:
            seen.add(s.data_ptr())
            saved[0] += s.nbytes()
        return t

    model.zero_grad(set_to_none=True)
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        with torch.autocast("cpu", dtype=torch.bfloat16):
            loss = loss_fn(model, x)
    loss.float().backward()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    t = time.process_time()
    for _ in range(cpu_steps):
        opt.zero_grad()
        loss_fn(model, x).backward()
        opt.step()
    cpu = (time.process_time() - t) / cpu_steps
    k = full / small
    row = dict(
        name=name,
        params_M=params / 1e6,
        gflop_per_step=flops * k / 1e9,
        act_GB=saved[0] * k / 1e9,
        cpu_s_per_step_1thread=cpu * k,
        small=small,
        full=full,
    )
    print(json.dumps(row), flush=True)


which = sys.argv[1]
if which == "hw1":

    def block(i, o, s):
        return [nn.Conv2d(i, o, 3, s, 1, bias=False), nn.BatchNorm2d(o), nn.ReLU(inplace=True)]

    def encoder(w=64):
        return nn.Sequential(
            *block(3, w // 2, 1),
            *block(w // 2, w, 2),
            *block(w, w, 1),
            *block(w, 2 * w, 2),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
        )

    rot = nn.Sequential(encoder(), nn.Linear(128, 4))
    measure(
        "hw1 rotation (4B images 96x96)",
        rot,
        lambda b: torch.rand(4 * b, 3, 96, 96),
        lambda m, x: F.cross_entropy(m(x), torch.zeros(len(x), dtype=torch.long)),
        4,
        256,
    )
    enc = encoder()
    head = nn.Linear(9 * 128, 100)
    jig = nn.ModuleList([enc, head])
    measure(
        "hw1 jigsaw (9B tiles 27x27)",
        jig,
        lambda b: torch.rand(b, 9, 3, 27, 27),
        lambda m, x: F.cross_entropy(
            m[1](m[0](x.flatten(0, 1)).reshape(len(x), -1)), torch.zeros(len(x), dtype=torch.long)
        ),
        8,
        256,
    )
    sup = nn.Sequential(encoder(), nn.Linear(128, 10))
    measure(
        "hw1 supervised (B images 96x96)",
        sup,
        lambda b: torch.rand(b, 3, 96, 96),
        lambda m, x: F.cross_entropy(m(x), torch.zeros(len(x), dtype=torch.long)),
        16,
        256,
    )
    # the jigsaw batch's Python loop (B*9 slice copies), as the solution writes it
    images = torch.rand(256, 3, 96, 96)
    tiles = images.new_empty(256, 9, 3, 27, 27)
    t = time.process_time()
    for n in range(256):
        for i in range(9):
            tiles[n, i] = images[n, :, 5:32, 5:32]
    print(json.dumps(dict(name="hw1 jigsaw batch loop, B=256", cpu_s=time.process_time() - t)))
elif which == "hw2":
    import torchvision

    def resnet():
        net = torchvision.models.resnet18(weights=None)
        net.fc = nn.Identity()
        return net.to(memory_format=torch.channels_last)

    def mlp(i, h, o):
        return nn.Sequential(nn.Linear(i, h), nn.BatchNorm1d(h), nn.ReLU(inplace=True), nn.Linear(h, o))

    simclr = nn.Sequential(resnet(), mlp(512, 512, 128))

    def simclr_loss(m, x):
        z = F.normalize(torch.cat([m(x[0]), m(x[1])]), dim=1)
        return (z @ z.T).logsumexp(1).mean()

    def two(b):
        return (
            torch.rand(b, 3, 96, 96).contiguous(memory_format=torch.channels_last),
            torch.rand(b, 3, 96, 96).contiguous(memory_format=torch.channels_last),
        )
    measure("hw2 SimCLR step (ResNet-18, 2x256 views 96x96)", simclr, two, simclr_loss, 4, 256)
    online = nn.Sequential(resnet(), mlp(512, 512, 128))
    pred = mlp(128, 512, 128)
    target = nn.Sequential(resnet(), mlp(512, 512, 128)).requires_grad_(False)
    byol = nn.ModuleList([online, pred, target])

    def byol_loss(m, x):
        p1, p2 = m[1](m[0](x[0])), m[1](m[0](x[1]))
        with torch.no_grad():
            t1, t2 = m[2](x[0]), m[2](x[1])
        return (
            -(F.normalize(p1, dim=1) * F.normalize(t2, dim=1)).sum(1).mean()
            - (F.normalize(p2, dim=1) * F.normalize(t1, dim=1)).sum(1).mean()
        )

    measure("hw2 BYOL step (online + target, 2x256 views)", byol, two, byol_loss, 4, 256)
    net = resnet().eval()
    x = torch.rand(8, 3, 96, 96).contiguous(memory_format=torch.channels_last)
    with torch.no_grad(), FlopCounterMode(display=False) as fc:
        net(x)
    print(
        json.dumps(dict(name="hw2 ResNet-18 forward per image 96x96", gflop=fc.get_total_flops() / 8 / 1e9))
    )
    # data loading: STL-10 PIL image -> ToTensor -> two SimCLR views, per sample, one core
    import numpy as np
    import torchvision.transforms as T
    from PIL import Image

    aug = T.Compose(
        [
            T.RandomResizedCrop(96, scale=(0.08, 1.0), antialias=True),
            T.RandomHorizontalFlip(),
            T.RandomApply([T.ColorJitter(0.4, 0.4, 0.4, 0.1)], p=0.8),
            T.RandomGrayscale(p=0.2),
        ]
    )
    img = Image.fromarray(np.random.default_rng(0).integers(0, 255, (96, 96, 3), dtype=np.uint8))
    to_tensor = T.ToTensor()
    t = time.process_time()
    for _ in range(100):
        x = to_tensor(img)
        aug(x)
        aug(x)
    print(
        json.dumps(
            dict(name="hw2 two SimCLR views per sample (1 core)", cpu_ms=(time.process_time() - t) * 10)
        )
    )
elif which == "hw3":
    from transformers import (
        BertConfig,
        BertForMaskedLM,
        GPT2Config,
        GPT2LMHeadModel,
        T5Config,
        T5ForConditionalGeneration,
    )

    V, d, L, H, ff, T_ = 32000, 512, 6, 8, 2048, 256
    full_rows = 16384 // T_
    bert = BertForMaskedLM(
        BertConfig(
            vocab_size=V,
            hidden_size=d,
            num_hidden_layers=L,
            num_attention_heads=H,
            intermediate_size=ff,
            max_position_embeddings=T_,
        )
    )
    def ids(b):
        return torch.randint(5, V, (b, T_))
    measure(
        "hw3 MLM step (BERT 6x512, 16384 tokens)",
        bert,
        ids,
        lambda m, x: m(input_ids=x, labels=x.masked_fill(torch.rand(x.shape) > 0.15, -100)).loss,
        1,
        full_rows,
    )
    gpt = GPT2LMHeadModel(GPT2Config(vocab_size=V, n_positions=T_, n_embd=d, n_layer=L, n_head=H, n_inner=ff))
    measure("hw3 CLM step (GPT-2 6x512)", gpt, ids, lambda m, x: m(input_ids=x, labels=x).loss, 1, full_rows)
    t5 = T5ForConditionalGeneration(
        T5Config(
            vocab_size=V,
            d_model=d,
            d_kv=d // H,
            d_ff=ff,
            num_layers=L,
            num_decoder_layers=L,
            num_heads=H,
            decoder_start_token_id=2,
        )
    )
    measure(
        "hw3 MASS/BART step (T5 6+6x512, decoder full length)",
        t5,
        ids,
        lambda m, x: m(input_ids=x, labels=x).loss,
        1,
        full_rows,
    )
    measure(
        "hw3 T5 span step (decoder ~1/4 length)",
        t5,
        ids,
        lambda m, x: m(input_ids=x, labels=x[:, : T_ // 4]).loss,
        1,
        full_rows,
    )
    enc = bert.bert
    def ids128(b):
        return torch.randint(5, V, (b, 128))
    measure(
        "hw3 fine-tune step (encoder, 8192 tokens)",
        nn.ModuleList([enc]),
        ids128,
        lambda m, x: m[0](input_ids=x).last_hidden_state.mean(),
        2,
        64,
    )
