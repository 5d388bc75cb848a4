#!/usr/bin/env python3
"""The PyTorch side of `npm run bench`: the same training steps as this project's graphs, layer for layer,
timed on the same CPU with the same thread count. Not part of the product (which needs no Python); run by
bench/run.ts with Debian's interpreter when `import torch` works there (python3-torch, libopenblas0-pthread).

    /usr/bin/python3 bench/torch_peer.py --model resnet18 --stem cifar --size 32 --batch 128 --step supcon
    /usr/bin/python3 bench/torch_peer.py --check     # SupCon on a formula input: 10.959123727775632

Steps: `supcon` (stage 1: encoder + MLP head, SupCon L_out, tau 0.1, 2 views or --views), `ce` (the cross-entropy
baseline: encoder + linear classifier end to end), `linear` (stage 2: frozen encoder in eval mode, linear
classifier); SGD momentum 0.9, weight decay 1e-4 (stage 2: none), as graphs/config.ts. Inputs are random:
only speed is measured. Prints one JSON line.
"""
import argparse, json, math, resource, statistics, time

import torch
import torch.nn as nn
import torch.nn.functional as F


def supcon_loss(z, labels, tau=0.1):
    """z [M, D] unit rows (views stacked), labels [M]: mean over anchors of
    -1/|P(i)| sum_{p in P(i)} log(exp(z_i.z_p / tau) / sum_{a != i} exp(z_i.z_a / tau))."""
    logits = z @ z.T / tau
    logits = logits - logits.max(dim=1, keepdim=True).values.detach()
    self_mask = torch.eye(z.shape[0], dtype=torch.bool)
    positives = (labels[:, None] == labels[None, :]) & ~self_mask
    log_prob = logits - torch.logsumexp(logits.masked_fill(self_mask, float("-inf")), dim=1, keepdim=True)
    return -((log_prob * positives).sum(1) / positives.sum(1)).mean()


def conv_bn(cin, cout, kernel, stride=1):
    return [nn.Conv2d(cin, cout, kernel, stride, (kernel - 1) // 2, bias=False), nn.BatchNorm2d(cout)]


class SmallCnn(nn.Module):
    """graphs/encoders/small_cnn.ts: conv(w) conv(w) pool | conv(2w) conv(2w) pool | conv(4w), GAP."""

    def __init__(self, width, cin):
        super().__init__()
        layers = []
        for cout in (width, width, None, 2 * width, 2 * width, None, 4 * width):
            if cout is None:
                layers.append(nn.MaxPool2d(2))
            else:
                layers += conv_bn(cin, cout, 3) + [nn.ReLU()]
                cin = cout
        self.features, self.dim = nn.Sequential(*layers), cin

    def forward(self, x):
        return torch.flatten(F.adaptive_avg_pool2d(self.features(x), 1), 1)


class Block(nn.Module):
    """BasicBlock (expansion 1) or Bottleneck (expansion 4, stride on the 3x3), as graphs/encoders/resnet.ts."""

    def __init__(self, cin, planes, stride, bottleneck):
        super().__init__()
        cout = planes * (4 if bottleneck else 1)
        if bottleneck:
            body = conv_bn(cin, planes, 1) + [nn.ReLU()] + conv_bn(planes, planes, 3, stride) + [nn.ReLU()] + conv_bn(planes, cout, 1)
        else:
            body = conv_bn(cin, planes, 3, stride) + [nn.ReLU()] + conv_bn(planes, planes, 3)
        self.body = nn.Sequential(*body)
        self.shortcut = nn.Sequential(*conv_bn(cin, cout, 1, stride)) if stride != 1 or cin != cout else nn.Identity()

    def forward(self, x):
        return F.relu(self.body(x) + self.shortcut(x))


class ResNet(nn.Module):
    def __init__(self, blocks, bottleneck, stem, cin):
        super().__init__()
        if stem == "cifar":
            layers = conv_bn(cin, 64, 3) + [nn.ReLU()]
        else:
            layers = conv_bn(cin, 64, 7, 2) + [nn.ReLU(), nn.MaxPool2d(3, 2, 1)]
        width = 64
        for i, (planes, n) in enumerate(zip((64, 128, 256, 512), blocks)):
            for j in range(n):
                layers.append(Block(width, planes, 2 if i > 0 and j == 0 else 1, bottleneck))
                width = planes * (4 if bottleneck else 1)
        self.features, self.dim = nn.Sequential(*layers), width

    def forward(self, x):
        return torch.flatten(F.adaptive_avg_pool2d(self.features(x), 1), 1)


def encoder(args):
    if args.model == "small_cnn":
        return SmallCnn(args.width, args.channels)
    blocks = {"resnet18": (2, 2, 2, 2), "resnet34": (3, 4, 6, 3), "resnet50": (3, 4, 6, 3)}[args.model]
    return ResNet(blocks, args.model == "resnet50", args.stem, args.channels)


def median_seconds(step, warmup, steps):
    for _ in range(warmup):
        step()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def check():
    # z_raw[i][k] = sin(0.37 i + 0.11 k + 0.05 i k), i < 8, k < 16; labels i % 3
    z = torch.tensor([[math.sin(0.37 * i + 0.11 * k + 0.05 * i * k) for k in range(16)] for i in range(8)], dtype=torch.float64)
    print(json.dumps({"check": "supcon_loss", "loss": float(supcon_loss(F.normalize(z, dim=1), torch.arange(8) % 3, 0.1))}))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", choices=["small_cnn", "resnet18", "resnet34", "resnet50"], default="resnet18")
    ap.add_argument("--stem", choices=["cifar", "imagenet"], default="cifar")
    ap.add_argument("--width", type=int, default=32)
    ap.add_argument("--channels", type=int, default=3)
    ap.add_argument("--size", type=int, default=32)
    ap.add_argument("--batch", type=int, default=128, help="images per step (supcon: 2 views each)")
    ap.add_argument("--step", choices=["supcon", "ce", "linear"], default="supcon")
    ap.add_argument("--views", type=int, default=2, help="supcon: views per image")
    ap.add_argument("--classes", type=int, default=10)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    if args.check:
        return check()

    enc = encoder(args)
    views = args.views if args.step == "supcon" else 1
    x = torch.randn(views * args.batch, args.channels, args.size, args.size)
    y = torch.randint(0, args.classes, (args.batch,)).repeat(views)
    if args.step == "supcon":
        head = nn.Sequential(nn.Linear(enc.dim, enc.dim), nn.ReLU(), nn.Linear(enc.dim, 128))
        params, loss_of = [*enc.parameters(), *head.parameters()], lambda: supcon_loss(F.normalize(head(enc(x)), dim=1), y)
    else:
        classifier = nn.Linear(enc.dim, args.classes)
        if args.step == "ce":
            params, loss_of = [*enc.parameters(), *classifier.parameters()], lambda: F.cross_entropy(classifier(enc(x)), y)
        else:
            enc.eval()

            def loss_of():
                with torch.no_grad():
                    features = enc(x)
                return F.cross_entropy(classifier(features), y)

            params = list(classifier.parameters())
    opt = torch.optim.SGD(params, lr=0.05, momentum=0.9, weight_decay=0 if args.step == "linear" else 1e-4)

    def step():
        opt.zero_grad(set_to_none=True)
        loss_of().backward()
        opt.step()

    seconds = median_seconds(step, args.warmup, args.steps)
    print(json.dumps({"impl": "pytorch", "torch": torch.__version__, "threads": torch.get_num_threads(), "step_s": seconds,
                      "images_per_s": args.batch / seconds, "views_per_s": views * args.batch / seconds,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == "__main__":
    main()
