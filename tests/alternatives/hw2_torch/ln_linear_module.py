"""An nn.Linear(1, 1) in float64 with zeroed weight and bias as the model, trained by
torch.optim.SGD; a and b read back from the layer."""
# exercise: logistic_nll
import torch
from torch import nn


def fit_logistic(x_N, y_N, lr, n_iters):
    layer = nn.Linear(1, 1, dtype=torch.float64)
    nn.init.zeros_(layer.weight)
    nn.init.zeros_(layer.bias)
    opt = torch.optim.SGD(layer.parameters(), lr=lr)
    x_N1 = x_N.reshape(-1, 1)
    for _ in range(n_iters):
        opt.zero_grad()
        loss = nll(torch.sigmoid(layer(x_N1)).reshape(-1), y_N)
        loss.backward()
        opt.step()
    return layer.weight.item(), layer.bias.item()
