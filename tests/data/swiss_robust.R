# swiss_robust.R -- R reference values for cxcase's robust and clustered standard errors.
#
# Re-run from the repository root with:
#     Rscript tests/data/swiss_robust.R
# (Debian: apt-get install -y --no-install-recommends r-base-core r-cran-sandwich.)
# It reads tests/data/swiss.csv (written by swiss_lm.R) and (re)writes
#     tests/data/swiss_grp.csv      -- swiss.csv without the province column, plus a
#                                      text column grp ("g0".."g5") and an ISO-week
#                                      column week, so that cxcase can cluster by grp
#     tests/data/swiss_robust.json  -- coefficients, standard errors and full covariance
#                                      matrices of sandwich::vcovHC / vcovCL, all numbers
#                                      "%.17g"
# Output directory can be overridden: Rscript tests/data/swiss_robust.R /some/dir
# (swiss.csv is then read from that directory too).
#
# Model: lm(fertility ~ agriculture + examination + education + catholic + infant_mortality)
# on the 47 provinces in file order; n = 47, k = 6 coefficients.
#
# Groups: grp = (row - 1) %% 6 in file order, row = 1..47, written as "g0".."g5":
#   g0..g4 have 8 rows, g5 has 7.  week = 2020-W01, 2020-W02, ... numbers the rows of
#   each group in file order, so every (grp, week) pair is unique.  cxcase takes the
#   text columns of data with a period column as its units, so it clusters by grp.
#
# Definitions (X the n x k design, e the OLS residuals, h_i the leverages,
# B = (X'X)^-1, all exactly as in sandwich 3.0):
#   HC0 = B X' diag(e_i^2) X B
#   HC1 = n/(n-k) * HC0                           vcovHC(m, type = "HC1")
#   HC2 = B X' diag(e_i^2/(1-h_i)) X B            vcovHC(m, type = "HC2")
#   HC3 = B X' diag(e_i^2/(1-h_i)^2) X B          vcovHC(m, type = "HC3")
#   CL  = G/(G-1) * (n-1)/(n-k) * B (sum_g u_g u_g') B,  u_g = sum_{i in g} x_i e_i
#                                                 vcovCL(m, cluster = ~ grp, type = "HC1")
#         (cadjust = TRUE, the default, gives G/(G-1); type "HC1" gives (n-1)/(n-k).
#          Together this is Stata's small-sample factor.)  G = 6.
#   cluster_CL0 = vcovCL(m, cluster = ~ grp, type = "HC0", cadjust = FALSE): the bare
#         sandwich, so any other convention can be derived from it.
# For the clustered covariance the 95% intervals and p-values use t with G - 1 = 5
# degrees of freedom (Stata's convention, and cxcase's); for HC0..HC3 they use t with
# n - k = 41 degrees of freedom (lmtest::coeftest's default for lm).
#
# Generated with R 4.2.2 (Debian bookworm r-base-core) and sandwich 3.0-2 (Debian r-cran-sandwich 3.0-2-1).

suppressPackageStartupMessages(library(sandwich))

args <- commandArgs(trailingOnly = TRUE)
outdir <- if (length(args) >= 1) args[1] else file.path("tests", "data")

## ---------------------------------------------------------------- data
csv_path <- file.path(outdir, "swiss.csv")
sw <- read.csv(csv_path, stringsAsFactors = FALSE)
stopifnot(nrow(sw) == 47L,
          identical(names(sw), c("province", "fertility", "agriculture", "examination",
                                 "education", "catholic", "infant_mortality")))
n <- nrow(sw)
row <- seq_len(n)
sw$grp <- paste0("g", (row - 1L) %% 6L)
week_no <- ave(row, sw$grp, FUN = seq_along)
sw$week <- sprintf("2020-W%02d", week_no)
stopifnot(!anyDuplicated(paste(sw$grp, sw$week)))

# swiss_grp.csv: the numbers exactly as they are written in swiss.csv (copied as text)
txt <- read.csv(csv_path, stringsAsFactors = FALSE, colClasses = "character")
grp_csv <- cbind(week = sw$week, grp = sw$grp, txt[, -1])
grp_lines <- c(paste(names(grp_csv), collapse = ","),
               apply(grp_csv, 1, paste, collapse = ","))
grp_path <- file.path(outdir, "swiss_grp.csv")
writeLines(grp_lines, grp_path)
chk <- read.csv(grp_path, stringsAsFactors = FALSE)
stopifnot(isTRUE(all.equal(chk[, names(sw)[2:7]], sw[, 2:7], tolerance = 0)),
          identical(chk$grp, sw$grp), identical(chk$week, sw$week))

## ---------------------------------------------------------------- model
f <- fertility ~ agriculture + examination + education + catholic + infant_mortality
m <- lm(f, data = sw)
k <- length(coef(m))
G <- length(unique(sw$grp))
stopifnot(k == 6L, G == 6L)

V <- list(
  HC0 = vcovHC(m, type = "HC0"),
  HC1 = vcovHC(m, type = "HC1"),
  HC2 = vcovHC(m, type = "HC2"),
  HC3 = vcovHC(m, type = "HC3"),
  cluster = vcovCL(m, cluster = ~ grp, type = "HC1"),
  cluster_CL0 = vcovCL(m, cluster = ~ grp, type = "HC0", cadjust = FALSE)
)

# Cross-checks by hand, so the definitions above are exactly what was computed.
X <- model.matrix(m); e <- residuals(m); B <- solve(crossprod(X)); h <- hatvalues(m)
sand <- function(w) B %*% crossprod(X * w, X) %*% B
U <- rowsum(X * e, sw$grp)
CL0 <- B %*% crossprod(U) %*% B
stopifnot(isTRUE(all.equal(V$HC0, sand(e^2), tolerance = 1e-12, check.attributes = FALSE)),
          isTRUE(all.equal(V$HC1, n / (n - k) * sand(e^2), tolerance = 1e-12, check.attributes = FALSE)),
          isTRUE(all.equal(V$HC3, sand(e^2 / (1 - h)^2), tolerance = 1e-12, check.attributes = FALSE)),
          isTRUE(all.equal(V$cluster_CL0, CL0, tolerance = 1e-12, check.attributes = FALSE)),
          isTRUE(all.equal(V$cluster, G / (G - 1) * (n - 1) / (n - k) * CL0,
                           tolerance = 1e-12, check.attributes = FALSE)))

## ---------------------------------------------------------------- JSON helpers
num <- function(x) {
  x <- as.numeric(x)
  ifelse(is.finite(x), sprintf("%.17g", x), "null")
}
str_ <- function(s) paste0("\"", gsub("\"", "\\\\\"", s), "\"")
arr  <- function(v) paste0("[", paste(num(v), collapse = ", "), "]")
sarr <- function(v) paste0("[", paste(str_(v), collapse = ", "), "]")
obj  <- function(keys, vals, indent) {
  pad <- strrep(" ", indent)
  paste0("{\n", paste0(pad, "  ", str_(keys), ": ", vals, collapse = ",\n"),
         "\n", pad, "}")
}
mat <- function(M, indent) {
  pad <- strrep(" ", indent)
  paste0("[\n", paste0(pad, "  ", apply(M, 1, arr), collapse = ",\n"), "\n", pad, "]")
}

vc_json <- function(label, call, factor_text, factor, df, cadjust, type, M, indent = 2) {
  b  <- coef(m)
  se <- sqrt(diag(M))
  tv <- b / se
  q  <- qt(0.975, df)
  terms <- vapply(names(b), function(nm)
    obj(c("name", "coef", "se", "t", "p", "ci_low", "ci_high"),
        c(str_(nm), num(b[[nm]]), num(se[[nm]]), num(tv[[nm]]),
          num(2 * pt(abs(tv[[nm]]), df, lower.tail = FALSE)),
          num(b[[nm]] - q * se[[nm]]), num(b[[nm]] + q * se[[nm]])), indent + 4), "")
  keys <- c("label", "call", "type", "cadjust", "factor", "factor_value", "df", "se",
            "terms", "names", "vcov")
  vals <- c(str_(label), str_(call), str_(type),
            if (is.na(cadjust)) "null" else if (cadjust) "true" else "false",
            str_(factor_text), num(factor), num(df), arr(unname(se)),
            paste0("[\n", paste0(strrep(" ", indent + 4), terms, collapse = ",\n"),
                   "\n", strrep(" ", indent + 2), "]"),
            sarr(colnames(M)), mat(unname(M), indent + 2))
  obj(keys, vals, indent)
}

dfr <- n - k
json <- obj(
  c("dataset", "source", "csv", "csv_clustered", "r_version", "sandwich_version",
    "number_format", "formula", "n", "k", "groups", "G", "group_sizes", "coef",
    "se_classic",
    "HC0", "HC1", "HC2", "HC3", "cluster", "cluster_CL0"),
  c(str_("swiss"),
    str_("R datasets::swiss via tests/data/swiss.csv; grp = \"g\" (row - 1) % 6 in file order"),
    str_("swiss.csv"),
    str_("swiss_grp.csv"),
    str_(R.version.string),
    str_(as.character(packageVersion("sandwich"))),
    str_("sprintf(\"%.17g\")"),
    str_(paste(deparse(f, width.cutoff = 500L), collapse = " ")),
    num(n), num(k),
    sarr(sw$grp), num(G), obj(names(table(sw$grp)), num(as.vector(table(sw$grp))), 2),
    obj(names(coef(m)), num(coef(m)), 2),
    arr(unname(sqrt(diag(vcov(m))))),
    vc_json("HC0", "vcovHC(m, type = \"HC0\")", "1", 1, dfr, NA, "HC0", V$HC0),
    vc_json("HC1", "vcovHC(m, type = \"HC1\")", "n/(n-k)", n / (n - k), dfr, NA, "HC1", V$HC1),
    vc_json("HC2", "vcovHC(m, type = \"HC2\")", "1 (weights e^2/(1-h))", 1, dfr, NA, "HC2", V$HC2),
    vc_json("HC3", "vcovHC(m, type = \"HC3\")", "1 (weights e^2/(1-h)^2)", 1, dfr, NA, "HC3", V$HC3),
    vc_json("cluster", "vcovCL(m, cluster = ~ grp, type = \"HC1\")  (cadjust = TRUE, the default)",
            "G/(G-1) * (n-1)/(n-k)", G / (G - 1) * (n - 1) / (n - k), G - 1, TRUE, "HC1",
            V$cluster),
    vc_json("cluster_CL0", "vcovCL(m, cluster = ~ grp, type = \"HC0\", cadjust = FALSE)",
            "1", 1, G - 1, FALSE, "HC0", V$cluster_CL0)),
  0)
out_path <- file.path(outdir, "swiss_robust.json")
writeLines(json, out_path)
cat("wrote", grp_path, "and", out_path, "\n")
