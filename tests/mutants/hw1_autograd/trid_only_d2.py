"""Writes out the D = 2 formula of the worked example, (x1-1)^2 + (x2-1)^2 - x1 x2,
ignoring every coordinate after the second."""
# exercise: trid


def trid(x_D):
    return (x_D[0] - 1.0) ** 2 + (x_D[1] - 1.0) ** 2 - x_D[0] * x_D[1]
