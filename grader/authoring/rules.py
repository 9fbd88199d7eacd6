"""Every rule an exercise's docstring states, and the checks that exercise it.

The table the next person reads (docs/CHECKS.md, written by `grader build`,
checked by `grader build --check` and tests/unit/authoring/test_rules.py) and
`grader selftest` prints with each check's mutant kill count. A rule names the
docstring (or notebook) statement in short; its checks are course.yml check
names of the same exercise. A check no mutant fails must be explained in
NO_MUTANT (why no realistic mutant can fail it), or get a mutant.
"""
from pathlib import Path

RULES = {
    ("hw1_autograd", "decaying_cosine"): [
        ("f(x) = exp(-x/10) cos(x)", ["values"]),
        ("the derivative comes from autograd.grad (runtime: one autograd gradient per call; "
         "evidence only takes points away)", ["gradient", "gradient_hidden"]),
        ("written with ag_np so autograd can trace it (no math.*, no float())",
         ["autograd_traceable"]),
    ],
    ("hw1_autograd", "trid"): [
        ("trid(x) for any D >= 2, vectorised", ["values", "values_hidden"]),
        ("trid_grad from autograd (runtime: one autograd gradient per call; evidence only "
         "takes points away)", ["gradient"]),
        ("trid is traceable by autograd", ["autograd_traceable"]),
        ("GD helper: n_iters history entries, entry 0 the start, n_iters - 1 updates",
         ["gd_iterates", "gd_iterates_hidden"]),
        ("GD helper: init_x_D is NOT modified; x <- x - step_size * g(x)",
         ["gd_iterates", "gd_iterates_hidden"]),
        ("minimize_trid: within 1e-5 of the minimiser in every coordinate, any D",
         ["minimize", "minimize_hidden", "minimize_large_hidden"]),
        ("minimize_trid: as many steps as D needs (a fixed step count fails at large D)",
         ["minimize_large_hidden"]),
        ("minimize_trid: BY GRADIENT DESCENT FROM init_x_D (parent's source scan: no solver, "
         "the result uses init_x_D's values; runtime: gradients taken, no solver)",
         ["minimize", "minimize_hidden", "minimize_large_hidden"]),
    ],
    ("hw1_autograd", "linreg_bias"): [
        ("add_bias_column: ones as the LAST column; (N,) means D = 1", ["add_bias_column"]),
        ("loss = 0.5 / sigma^2 * sum of squared residuals", ["neg_log_lik"]),
        ("the loss is differentiable by autograd w.r.t. wtilde", ["neg_log_lik_gradient"]),
        ("fit reaches the least-squares optimum; wtilde = [w, b], bias last",
         ["fit", "fit_hidden"]),
        ("fit: gradients from autograd, no closed-form solver or factorisation (solve, lstsq, "
         "inv, pinv, QR, Cholesky, SVD, eig; parent's source scan, and runtime evidence that "
         "only takes points away)", ["fit", "fit_hidden"]),
        ("fit: the step size suits the data given (other N, D, scales)", ["fit_hidden"]),
    ],
    ("hw1_autograd", "nn_fit"): [
        ("params: w (n_in, n_out), b (n_out,), filled by the given functions",
         ["param_shapes", "param_shapes_hidden"]),
        ("predict: activation between layers only, never after the last", ["predict"]),
        ("predict: uses activation_func; 1D x is one example of D (D > 1) or N examples "
         "(D = 1)", ["predict"]),
        ("loss = 0.5 / sigma^2 * sum of squared residuals, autograd-differentiable",
         ["loss", "loss_gradient"]),
        ("fit_nn: held-out R^2 >= full_r2 with the default tanh",
         ["fit", "fit_hidden", "fit_1d_hidden"]),
        ("fit_nn: any D, the first layer takes x_ND.shape[1] inputs",
         ["fit_hidden", "fit_1d_hidden"]),
        ("fit_nn: any scaling of x and y folded into the returned weights "
         "(inputs not centred)", ["fit", "fit_hidden", "fit_1d_hidden"]),
    ],
    ("hw2_torch", "numpy_gradients"): [
        ("lin = a x + b", ["lin"]),
        ("mse_loss = mean of squared residuals", ["mse_loss"]),
        ("mse_loss_grad = (dL/da, dL/db) by hand", ["gradient", "gradient_hidden"]),
        ("no autograd, no torch, helpers and files included (parent's source scan, and runtime "
         "evidence that only takes points away)", ["by_hand"]),
        ("fit_line_numpy: from (0, 0), exactly n_steps simultaneous updates",
         ["fit", "fit_hidden"]),
    ],
    ("hw2_torch", "torch_gd"): [
        ("start a = (-1, 1); n_iters updates a <- a - lr * grad of the MEAN squared error",
         ["iterates", "iterates_default", "iterates_hidden"]),
        ("losses[t] before update t, a list of floats (not graph-attached tensors)",
         ["iterates", "iterates_hidden"]),
        ("zero a.grad after every update", ["iterates", "iterates_hidden"]),
        ("float64 throughout", ["iterates", "iterates_hidden"]),
        ("x_N2 and y_N unchanged; a_2 returned detached", ["leaves_inputs"]),
        ("x_N2[:, 1] is usually, not always, ones: any second feature",
         ["leaves_inputs", "iterates_hidden"]),
    ],
    ("hw2_torch", "minibatch_sgd"): [
        ("each epoch a new permutation cut into batches; every example once per epoch",
         ["every_sample", "every_sample_hidden"]),
        ("batch_size = N is full-batch GD", ["full_batch"]),
        ("one update per minibatch on the minibatch MEAN squared error; losses are floats",
         ["iterates", "iterates_hidden"]),
        ("a0_2, x_N2 and y_N are NOT modified", ["iterates", "iterates_hidden"]),
        ("every random number from `generator`", ["deterministic"]),
        ("a_2 returned detached (the rule torch_gd checks too, one helper)", ["full_batch"]),
    ],
    ("hw2_torch", "polynomial_l1"): [
        ("PolynomialModel: one float64 parameter w of p + 1 zeros; yhat of shape (N,)",
         ["model"]),
        ("SGD: one update per DataLoader batch, step lr / (epoch + 1), zeroed grads",
         ["sgd_iterates", "sgd_mse_hidden"]),
        ("DataLoader(shuffle=True, generator=generator): a new order every epoch",
         ["sgd_iterates", "adam_iterates"]),
        ("Adam: torch.optim.Adam, default betas and eps, constant lr, on the loss_fn given",
         ["adam_iterates", "adam_hidden"]),
        ("history: row 0 before any update, one row per update, float64, copies",
         ["sgd_iterates", "adam_iterates"]),
        ("L1 fit close to the least-absolute-deviations optimum", ["fit", "fit_hidden"]),
        ("trainers: model is any nn.Module: every parameter, in order (no `model.w`)",
         ["sgd_mse_hidden", "adam_hidden"]),
    ],
    ("hw2_torch", "logistic_nll"): [
        ("nll = -mean(y log p + (1-y) log(1-p)), p clamped to [1e-5, 1 - 1e-5]",
         ["nll_values", "nll_values_hidden"]),
        ("nll keeps y_hat's dtype", ["nll_values"]),
        ("the clamp passes no gradient outside its range", ["nll_gradient"]),
        ("fit_logistic: from (0, 0), n_iters GD steps on nll(sigmoid(a x + b)), float64",
         ["fit_iterates", "fit_iterates_hidden"]),
        ("fit_logistic reaches the maximum-likelihood NLL and accuracy", ["fit", "fit_hidden"]),
        ("fit_logistic: exactly n_iters steps however long the run (no early stop, no jump "
         "to the optimum)", ["fit_iterates", "fit_iterates_hidden"]),
    ],
}

# (assignment, exercise, check) -> why no realistic mutant can fail it (empty: all caught)
NO_MUTANT = {}


def _runs(i, default=None, flag="use_defaults"):
    """Item i of every [n_iters, lr] pair of p.runs, plus the default call's value when
    p.<flag> says the check also calls with the defaults."""
    return lambda p: [r[i] for r in p.runs] + ([default] if default is not None
                                                and getattr(p, flag, False) else [])


def _column(p):
    return ["ones" if getattr(p, "constant_column", True) else "a second feature"]


def _dc_points(p):
    """decaying_cosine's points: the fixed xs and the random ones."""
    fixed = [f"{len(p.xs)} fixed in [{min(p.xs):g}, {max(p.xs):g}]"] if p.xs else []
    return fixed + ([f"{p.n_random} uniform in [{p.low:g}, {p.high:g}]"] if p.n_random else [])


def _lr_fit_sizes(p):
    """linreg fit's (N, D): the course's set (300, 2) and the random sets."""
    return ([(300, 2)] if p.toy else []) + [tuple(s) for s in p.random_sets]


# Domain coverage: what a docstring lets vary, and the values the public and the hidden
# checks use, read from course.yml's resolved params (so the table cannot drift from the
# checks). Per exercise, rows (quantity, what the docstring allows, {check kind: params ->
# list of values}); a kind missing from a row does not vary that quantity. docs/CHECKS.md
# is instructor-only (not in the release): hidden values may appear there, never in a
# docstring.
DOMAINS = {
    ("hw2_torch", "numpy_gradients"): [
        ("N", "any N >= 1", {"lin": lambda p: [s[2] for s in p.sets],
                             "mse_loss": lambda p: [s[2] for s in p.sets],
                             "gradient": lambda p: [s[2] for s in p.sets],
                             "by_hand": lambda p: [p.sets[0][2]], "fit": lambda p: [p.n]}),
        ("(a, b) where the gradient is taken", "any floats",
         {"gradient": lambda p: [(s[0], s[1]) for s in p.sets]}),
        ("x range", "any float64 values",
         {"gradient": lambda p: [f"[-{p.x_scale:g}, {p.x_scale:g}]"],
          "fit": lambda p: [f"[{p.low:g}, {p.high:g}]"]}),
        ("n_steps", "any int >= 0 (0: the start point; default 1000)",
         {"fit": _runs(0, 1000)}),
        ("lr", "any float > 0 (default 0.1)", {"fit": _runs(1, 0.1)}),
        ("dtype", "float64 numpy", {"fit": lambda p: ["float64"]}),
    ],
    ("hw2_torch", "torch_gd"): [
        ("N", "any N >= 1", {"iterates": lambda p: [p.n], "leaves_inputs": lambda p: [p.n]}),
        ("n_iters", "any int >= 0 (default 100)",
         {"iterates": _runs(0, 100), "leaves_inputs": lambda p: [p.n_iters]}),
        ("lr", "any float > 0 (default 0.1)",
         {"iterates": _runs(1, 0.1), "leaves_inputs": lambda p: [p.lr]}),
        ("x_N2[:, 0] range", "any float64 values",
         {"iterates": lambda p: [f"[{p.low:g}, {p.high:g}]"]}),
        ("x_N2[:, 1]", "usually ones, any feature", {"iterates": _column,
                                                     "leaves_inputs": _column}),
        ("dtype", "float64", {"iterates": lambda p: ["float64"]}),
    ],
    ("hw2_torch", "minibatch_sgd"): [
        ("N", "any N >= 1", {"every_sample": lambda p: [p.n], "full_batch": lambda p: [p.n],
                             "iterates": lambda p: [p.n], "deterministic": lambda p: [p.n]}),
        ("batch_size", "1 .. N (the last batch smaller when it does not divide N)",
         {"every_sample": lambda p: [p.batch_size], "full_batch": lambda p: ["N"],
          "iterates": lambda p: [p.batch_size], "deterministic": lambda p: [p.batch_size]}),
        ("N mod batch_size", "any",
         {"every_sample": lambda p: [p.n % p.batch_size], "full_batch": lambda p: [0],
          "iterates": lambda p: [p.n % p.batch_size],
          "deterministic": lambda p: [p.n % p.batch_size]}),
        ("n_epochs", "any int >= 1",
         {"every_sample": lambda p: [p.n_epochs], "full_batch": lambda p: [p.n_epochs],
          "iterates": lambda p: [p.n_epochs], "deterministic": lambda p: [p.n_epochs]}),
        ("lr", "any float > 0", {"full_batch": lambda p: [p.lr], "iterates": lambda p: [p.lr],
                                 "deterministic": lambda p: [p.lr]}),
        ("a0_2", "any float64 (2,) tensor",
         {"full_batch": lambda p: [tuple(p.a0)], "iterates": lambda p: [tuple(p.a0)]}),
        ("x_N2[:, 1]", "any feature (torch_gd's data)",
         {"full_batch": lambda p: ["ones"], "iterates": _column}),
        ("generator seeds", "any torch.Generator",
         {"every_sample": lambda p: [p.gen_seed], "iterates": lambda p: [p.gen_seed],
          "deterministic": lambda p: list(p.gen_seeds)}),
    ],
    ("hw2_torch", "polynomial_l1"): [
        ("degree p", "any int >= 0",
         {"model": lambda p: list(p.degrees), "sgd_iterates": lambda p: [p.degree],
          "adam_iterates": lambda p: [p.degree], "fit": lambda p: [p.degree]}),
        ("model", "any nn.Module (e.g. PolynomialModel)",
         {"sgd_iterates": lambda p: ["one parameter per coefficient" if p.split_params
                                     else "one parameter w"],
          "adam_iterates": lambda p: ["one parameter per coefficient" if p.split_params
                                      else "one parameter w"],
          "fit": lambda p: ["the student's PolynomialModel"]}),
        ("N", "any N >= 1", {"model": lambda p: [p.n], "sgd_iterates": lambda p: [p.n],
                             "adam_iterates": lambda p: [p.n], "fit": lambda p: [p.n]}),
        ("batch_size", "any int >= 1 (the last batch may be smaller)",
         {"sgd_iterates": lambda p: [p.batch_size], "adam_iterates": lambda p: [p.batch_size],
          "fit": lambda p: [int(p.sgd[2]), int(p.adam[2])]}),
        ("nepochs", "any int >= 1",
         {"sgd_iterates": lambda p: [p.nepochs], "adam_iterates": lambda p: [p.nepochs],
          "fit": lambda p: [int(p.sgd[1]), int(p.adam[1])]}),
        ("lr", "any float > 0", {"sgd_iterates": lambda p: [p.lr],
                                 "adam_iterates": lambda p: [p.lr],
                                 "fit": lambda p: [p.sgd[0], p.adam[0]]}),
        ("loss_fn", "any callable(yhat_B, y_B)",
         {"sgd_iterates": lambda p: [p.loss], "adam_iterates": lambda p: [p.loss],
          "fit": lambda p: ["l1"]}),
    ],
    ("hw2_torch", "logistic_nll"): [
        ("nll: N", "any N >= 1", {"nll_values": lambda p: list(p.sizes) + [12] * p.float32,
                                  "nll_gradient": lambda p: list(p.sizes)}),
        ("nll: y_hat", "any float, exactly 0 and 1 included",
         {"nll_values": lambda p: ["uniform on [0, 1]"] + [f"{v:.10g}" for v in p.edge_values]}),
        ("nll: dtype", "float64 or float32 (kept)",
         {"nll_values": lambda p: ["float64"] + ["float32"] * p.float32,
          "nll_gradient": lambda p: ["float64"]}),
        ("fit_logistic: N", "any N >= 1", {"fit_iterates": lambda p: [p.n],
                                           "fit": lambda p: [p.n]}),
        ("fit_logistic: n_iters", "any int >= 0",
         {"fit_iterates": _runs(0), "fit": lambda p: [p.n_iters]}),
        ("fit_logistic: lr", "any float > 0",
         {"fit_iterates": _runs(1), "fit": lambda p: [p.lr]}),
        ("fit_logistic: data", "any x_N, labels 0 or 1",
         {"fit_iterates": lambda p: [f"thresholded line (seed {p.data_seed})"],
          "fit": lambda p: [f"thresholded line (a = {p.a:g} b = {p.b:g})"]}),
    ],
    ("hw1_autograd", "decaying_cosine"): [
        ("x", "any float (autograd may pass a box)",
         {k: _dc_points for k in ("values", "gradient", "autograd_traceable")}),
    ],
    ("hw1_autograd", "trid"): [
        ("D (trid, trid_grad)", "any D >= 2",
         {k: lambda p: list(p.dims) for k in ("values", "gradient", "autograd_traceable")}),
        ("x_D (trid, trid_grad)", "any floats",
         {k: lambda p: [f"the minimiser and {p.points_per_dim} per D uniform in "
                        f"[-{p.scale:g}, {p.scale:g}]"]
          for k in ("values", "gradient", "autograd_traceable")}),
        ("GD helper: D", "any D >= 1", {"gd_iterates": lambda p: list(p.dims)}),
        ("GD helper: f, g", "any callables",
         {"gd_iterates": lambda p: ["a random convex quadratic 0.5 x^T A x - b^T x"]}),
        ("GD helper: n_iters", "any int >= 1 (default 100)",
         {"gd_iterates": lambda p: [p.n_iters]}),
        ("GD helper: step_size", "any float > 0 (default 0.001)",
         {"gd_iterates": lambda p: [p.step_size]}),
        ("minimize_trid: D", "any D >= 2", {"minimize": lambda p: list(p.dims)}),
        ("minimize_trid: init_x_D", "any floats",
         {"minimize": lambda p: (["(1, -1)"] if p.include_seed_start and 2 in p.dims else [])
          + [f"{p.starts_per_dim} per D uniform in [-{p.scale:g}, {p.scale:g}]"]}),
    ],
    ("hw1_autograd", "linreg_bias"): [
        ("add_bias_column: x_ND shape", "(N, D), or (N,) for D = 1",
         {"add_bias_column": lambda p: [tuple(s) for s in p.shapes]}),
        ("loss: (N, D)", "any N >= 1, D >= 1",
         {k: lambda p: [tuple(s) for s in p.sets] for k in ("neg_log_lik",
                                                            "neg_log_lik_gradient")}),
        ("loss: sigma", "any float > 0 (default 0.1)",
         {k: lambda p: list(p.sigmas) for k in ("neg_log_lik", "neg_log_lik_gradient")}),
        ("fit: (N, D)", "any N >= 1, D >= 1", {"fit": _lr_fit_sizes}),
        ("fit: x_ND for D = 1", "(N, 1) or (N,)",
         {"fit": lambda p: ["(N, 1)"] + (["(N,)"] if getattr(p, "flat_d1", False) else [])}),
        ("fit: feature scales", "any",
         {"fit": lambda p: (["the course's set, x in [-5, 5]"] if p.toy else [])
          + ([f"per feature 1 to {p.max_scale:g}, offset"] if p.random_sets else [])}),
        ("fit: sigma", "any float > 0 (default 0.1)",
         {"fit": lambda p: [getattr(p, "sigma", None) or "default (0.1)"]}),
    ],
    ("hw1_autograd", "nn_fit"): [
        ("make_nn_params: (hidden sizes, n_in, n_out)", "any list of ints >= 1, n_in, n_out >= 1",
         {"param_shapes": lambda p: [f"({_shown(list(h))}, {i}, {o})"
                                     for h, i, o in p.architectures]}),
        ("predict: D", "any D >= 1", {"predict": lambda p: [it[1] for it in p.items]}),
        ("predict: x", "(N, D); 1D: one example (D > 1) or N examples (D = 1)",
         {"predict": lambda p: [("1D" if it[4] else "2D") + f" (N = {it[2]}, D = {it[1]})"
                                for it in p.items]}),
        ("predict: activation_func", "any elementwise callable (default tanh)",
         {"predict": lambda p: [it[3] for it in p.items]}),
        ("predict: hidden layers", "any number (0 = linear)",
         {"predict": lambda p: [len(it[0]) for it in p.items]}),
        ("loss: (N, D, sigma)", "any N, D >= 1, sigma > 0",
         {k: lambda p: [(s[2], s[1], s[3]) for s in p.sets] for k in ("loss", "loss_gradient")}),
        ("fit_nn: D", "any D >= 1 (x_ND of shape (N, D))", {"fit": lambda p: [len(p.w_D)]}),
        ("fit_nn: N", "any N", {"fit": lambda p: [p.n_train]}),
        ("fit_nn: inputs", "any floats (not centred)",
         {"fit": lambda p: ["x in [-5, 5]^D" + (f" + {_shown(list(p.x_shift))}"
                                                if p.x_shift else "")]}),
        ("fit_nn: target", "any smooth function of x",
         {"fit": lambda p: [f"x^2 @ {_shown(list(p.wsq_D))} + x @ {_shown(list(p.w_D))} "
                            "+ noise"]}),
    ],
}


def _shown(value):
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(_shown(v) for v in value) + ")"
    return str(value)


def domain_rows(course, assignment, exercise):
    """[(quantity, docstring allows, public values, hidden values)] of an exercise, the
    values as text (each distinct value once, in course.yml order)."""
    checks = course.checks_for(assignment, [exercise])
    rows = []
    for quantity, allowed, readers in DOMAINS.get((assignment, exercise), []):
        seen = {False: [], True: []}
        for c in checks:
            read = readers.get(c.kind.name)
            for v in (read(c.params) if read else []):
                if _shown(v) not in seen[c.hidden]:
                    seen[c.hidden].append(_shown(v))
        rows.append((quantity, allowed, ", ".join(seen[False]) or "-",
                     ", ".join(seen[True]) or "-"))
    return rows


def problems(course):
    """What is wrong with RULES against course.yml: unknown checks, or checks no rule uses."""
    out = []
    for assignment, aspec in course.spec.assignments.items():
        for exercise in aspec.exercises:
            names = {c.name for c in course.checks_for(assignment, [exercise])}
            rules = RULES.get((assignment, exercise))
            if not rules:
                out.append(f"{assignment}.{exercise}: no docstring rules listed")
                continue
            used = {c for _, checks in rules for c in checks}
            out += [f"{assignment}.{exercise}: rule names unknown check '{c}'"
                    for c in sorted(used - names)]
            out += [f"{assignment}.{exercise}.{c}: exercises no listed rule"
                    for c in sorted(names - used)]
    return out


def markdown(course, kills=None):
    """docs/CHECKS.md: per exercise, each docstring rule and the checks that exercise it
    (with mutant kill counts when `kills` {(a, e, check): n} is given)."""
    lines = ["# Docstring rules and the checks that exercise them", "",
             "Written by `grader build` from grader/authoring/rules.py (do not edit by hand).",
             "`grader selftest` prints the same table with each check's mutant kill count.", ""]
    for assignment, aspec in course.spec.assignments.items():
        for exercise in aspec.exercises:
            lines += [f"## {assignment}.{exercise}", "", "| docstring rule | checks |", "|---|---|"]
            for rule, checks in RULES.get((assignment, exercise), []):
                named = ", ".join(f"`{c}`" + (f" ({kills.get((assignment, exercise, c), 0)})"
                                              if kills is not None else "") for c in checks)
                lines.append(f"| {rule} | {named} |")
            lines.append("")
            domain = domain_rows(course, assignment, exercise)
            if domain:
                lines += ["Domain coverage (values read from course.yml):", "",
                          "| quantity | the docstring allows | public checks | hidden checks |",
                          "|---|---|---|---|"]
                lines += [f"| {' | '.join(row)} |" for row in domain]
                lines.append("")
    if NO_MUTANT:
        lines += ["## Checks no mutant fails", ""]
        lines += [f"- `{a}.{e}.{c}`: {why}" for (a, e, c), why in sorted(NO_MUTANT.items())]
    return "\n".join(lines).rstrip("\n") + "\n"


def build_rules_doc(root, course, write=True):
    """Write docs/CHECKS.md; return [path] if it changed (or would)."""
    path = Path(root) / "docs" / "CHECKS.md"
    text = markdown(course)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return []
    if write:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return [path]
