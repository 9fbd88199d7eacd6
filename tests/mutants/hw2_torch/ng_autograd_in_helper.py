"""Right numbers, but the gradient comes from torch autograd inside a helper."""
# exercise: numpy_gradients
import torch


def _torch_grad(a, b, x, y):
    at = torch.tensor(float(a), dtype=torch.float64, requires_grad=True)
    bt = torch.tensor(float(b), dtype=torch.float64, requires_grad=True)
    loss = ((at * torch.from_numpy(x) + bt - torch.from_numpy(y)) ** 2).mean()
    loss.backward()
    return at.grad.item(), bt.grad.item()


def mse_loss_grad(a, b, x, y):
    return _torch_grad(a, b, x, y)
