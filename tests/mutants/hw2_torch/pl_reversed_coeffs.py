"""w[i] multiplies x^(p - i): the coefficients are in np.polyval's order."""
# exercise: polynomial_l1
import torch
from torch import nn


class PolynomialModel(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.w = nn.Parameter(torch.zeros(p + 1, dtype=torch.float64))

    def forward(self, x_N):
        p = self.w.shape[0] - 1
        return sum(self.w[i] * x_N ** (p - i) for i in range(p + 1))
