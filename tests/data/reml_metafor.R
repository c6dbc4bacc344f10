# reml_metafor.R -- R/metafor reference values for cxcase's random-effects
# meta-regression (src/model/reml.c, tests/unit/test_reml.c).
#
# Re-run from the repository root with:
#     Rscript tests/data/reml_metafor.R
# It refits from the committed data set tests/data/reml_nps.csv and rewrites
#     tests/data/reml_metafor.json  -- the recorded results, all numbers "%.17g"
# To rebuild the data set itself from the sample panel first:
#     make && build/cxcase panel samples/logistics.csv samples/service.csv \
#         samples/web.csv samples/finance.csv samples/hr.csv \
#         --responses samples/responses.csv -o /tmp/panel.csv
#     Rscript tests/data/reml_metafor.R /tmp/panel.csv
# which also (re)writes tests/data/reml_nps.csv.  Output directory:
#     Rscript tests/data/reml_metafor.R [PANEL.csv|-] [OUTDIR]
#
# Needs Debian's r-cran-metafor (a test-reference tool, not a build dependency):
#     apt-get install -y --no-install-recommends r-cran-metafor r-base-core
# Generated with R 4.2.2 (Debian bookworm r-base-core) and metafor 3.8.1
# (r-cran-metafor 3.8-1-1); both versions are also written into the JSON.
#
# The data: weekly NPS per region (nps, its survey standard error nps_se and
# the number of responses nps_n, aggregated by cxcase from
# samples/responses.csv) with the department metrics of the same week and
# region: 6 regions x the 52 ISO weeks of 2024, rows with a missing metric
# dropped.  nps and nps_se are rounded to 4 decimals, as an export would be,
# so that R and C read the same doubles; every fit below is made from the
# CSV read back.  Sampling variances vi = nps_se^2.
#
# Cases (all rma() calls use the default z tests, level 95%):
#   reml      rma(nps, vi, mods = ~ delivery_days + handling_time_s +
#                 conversion + ctr + enps + factor(region), method = "REML",
#                 control = list(threshold = 1e-12, maxiter = 1000))
#             Fisher scoring run to convergence (metafor's default threshold,
#             1e-5 on the change in tau^2, stops about 1e-7 relative short of
#             the maximum; that default fit is recorded under "default").
#             se_knha: the same fit with test = "knha" (vb times
#             s2w = RSS/(k - p) at the final weights), i.e. the standard errors
#             of lm(weights = 1/(tau2 + vi)).
#   fe        rma(nps, vi, mods = ~ delivery_days, method = "FE"): the
#             fixed-effect weighted least squares (weights 1/vi,
#             Var(beta) = (X'WX)^-1).  se_lm: summary(lm(nps ~ delivery_days,
#             weights = 1/vi)), which scales (X'WX)^-1 by the residual variance.
#             I2 is metafor's FE definition max(0, 100 (QE - df)/QE); I2_tau2
#             is its tau2-based 100 tau2/(vt + tau2) (0 here).
#   zero      a homogeneous subset (Zeeland, 2024-W14..W26, nps ~ enps) where
#             REML's tau^2 is truncated at 0.
#   weighted  the reml model with weights = orders: metafor estimates tau^2
#             as without weights, then beta = (X'AX)^-1 X'Ay and the sandwich
#             Var(beta) = (X'AX)^-1 X'A M A X (X'AX)^-1, A = diag(orders),
#             M = diag(tau2 + vi).
# Recorded per case: coefficient names (metafor's, the design column order),
# beta, se, zval, pval, ci_lb, ci_ub, vcov, tau2, se_tau2, QE, QEp, I2, vt,
# loglik_reml (fit.stats["ll", "REML"], which includes metafor's
# +1/2 log|X'X| term), and the Fisher scoring iterations.

suppressMessages(library(metafor))

args <- commandArgs(trailingOnly = TRUE)
panel <- if (length(args) >= 1 && args[1] != "-") args[1] else NA
outdir <- if (length(args) >= 2) args[2] else file.path("tests", "data")
csv_path <- file.path(outdir, "reml_nps.csv")

## ---------------------------------------------------------------- data
cols <- c("week", "region", "nps", "nps_se", "nps_n", "delivery_days",
          "handling_time_s", "conversion", "ctr", "enps", "orders")
if (!is.na(panel)) {
  d <- read.csv(panel, stringsAsFactors = FALSE, fileEncoding = "UTF-8")
  regions <- c("Drenthe", "Groningen", "Limburg", "Noord-Holland", "Utrecht", "Zeeland")
  s <- d[d$region %in% regions & substr(d$week, 1, 4) == "2024", cols]
  s <- s[complete.cases(s), ]
  s <- s[order(s$week, s$region), ]
  s$nps <- round(s$nps, 4)
  s$nps_se <- round(s$nps_se, 4)
  fmt <- function(x) vapply(x, function(v) format(v, digits = 15), "")
  num_cols <- setdiff(cols, c("week", "region"))
  lines <- c(paste(cols, collapse = ","),
             apply(cbind(s$week, s$region, vapply(s[, num_cols], fmt, character(nrow(s)))),
                   1, paste, collapse = ","))
  writeLines(lines, csv_path)
}
s <- read.csv(csv_path, stringsAsFactors = FALSE)
stopifnot(identical(names(s), cols), !anyNA(s), all(s$nps_se > 0))
s$vi <- s$nps_se^2

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
mat <- function(V, indent) {
  pad <- strrep(" ", indent + 2)
  paste0("[\n", paste0(pad, apply(V, 1, arr), collapse = ",\n"), "\n", strrep(" ", indent), "]")
}

# Fit with verbose = TRUE to read the Fisher scoring iteration count, which
# rma() prints but does not store.
fit <- function(call) {
  call <- substitute(call)
  call$verbose <- TRUE
  out <- capture.output(m <- eval(call, parent.frame()))
  it <- regmatches(out, regexpr("converged after [0-9]+ iterations", out))
  m$iterations <- if (length(it)) as.numeric(gsub("[^0-9]", "", it[1])) else 0
  m
}

fit_json <- function(m, indent) {
  V <- vcov(m)
  keys <- c("names", "beta", "se", "zval", "pval", "ci_lb", "ci_ub", "vcov",
            "tau2", "se_tau2", "QE", "QEp", "I2", "vt", "loglik_reml", "iterations")
  vals <- c(sarr(rownames(m$beta)), arr(m$beta), arr(m$se), arr(m$zval), arr(m$pval),
            arr(m$ci.lb), arr(m$ci.ub), mat(V, indent + 2),
            num(m$tau2), num(m$se.tau2), num(m$QE), num(m$QEp), num(m$I2), num(m$vt),
            num(m$fit.stats["ll", "REML"]), num(m$iterations))
  list(keys = keys, vals = vals)
}

case_json <- function(label, description, rows, call, m, extra_keys = NULL,
                      extra_vals = NULL, indent = 2) {
  f <- fit_json(m, indent + 2)
  obj(c("label", "description", "rows", "call", "n", "p", f$keys, extra_keys),
      c(str_(label), str_(description), rows, str_(call), num(m$k), num(m$p),
        f$vals, extra_vals), indent)
}

all_rows <- obj(c("region", "week_from", "week_to"), c("null", "null", "null"), 4)
tight <- list(threshold = 1e-12, maxiter = 1000)

## ---------------------------------------------------------------- reml
mods <- ~ delivery_days + handling_time_s + conversion + ctr + enps + factor(region)
mods_text <- gsub("\\s+", " ", paste(deparse(mods, width.cutoff = 500L), collapse = " "))
m_reml <- fit(rma(nps, vi, mods = mods, data = s, method = "REML", control = tight))
m_def  <- fit(rma(nps, vi, mods = mods, data = s, method = "REML"))
m_knha <- rma(nps, vi, mods = mods, data = s, method = "REML", control = tight, test = "knha")
stopifnot(m_reml$tau2 > 0, m_knha$tau2 == m_reml$tau2)
d_def <- fit_json(m_def, 4)
case_reml <- case_json("reml",
  "REML random-effects meta-regression, Fisher scoring to convergence",
  all_rows, paste0("rma(nps, vi, mods = ", mods_text, ", data = s, method = \"REML\", ",
                   "control = list(threshold = 1e-12, maxiter = 1000))"),
  m_reml,
  c("se_knha", "s2w_knha", "default"),
  c(arr(m_knha$se), num(m_knha$s2w), obj(d_def$keys, d_def$vals, 4)))

## ---------------------------------------------------------------- fe
m_fe <- fit(rma(nps, vi, mods = ~ delivery_days, data = s, method = "FE"))
m_fe0 <- rma(nps, vi, mods = ~ delivery_days, data = s, method = "REML", tau2 = 0)
l_fe <- summary(lm(nps ~ delivery_days, data = s, weights = 1 / vi))
case_fe <- case_json("fe", "fixed-effect (tau2 = 0) weighted least squares, weights 1/vi",
  all_rows, "rma(nps, vi, mods = ~delivery_days, data = s, method = \"FE\")", m_fe,
  c("I2_tau2", "se_lm", "sigma_lm"),
  c(num(m_fe0$I2), arr(coef(l_fe)[, 2]), num(l_fe$sigma)))

## ---------------------------------------------------------------- zero
zr <- s$region == "Zeeland" & s$week >= "2024-W14" & s$week <= "2024-W26"
z <- s[zr, ]
m_zero <- fit(rma(nps, vi, mods = ~ enps, data = z, method = "REML", control = tight))
stopifnot(nrow(z) == 13L, m_zero$tau2 == 0)
case_zero <- case_json("zero", "homogeneous subset: REML tau2 truncated at 0",
  obj(c("region", "week_from", "week_to"), c(str_("Zeeland"), str_("2024-W14"), str_("2024-W26")), 4),
  "rma(nps, vi, mods = ~enps, data = z, method = \"REML\", control = list(threshold = 1e-12, maxiter = 1000))",
  m_zero)

## ---------------------------------------------------------------- weighted
m_w <- fit(rma(nps, vi, mods = mods, data = s, method = "REML", control = tight, weights = orders))
case_w <- case_json("weighted", "REML tau2, then beta weighted by orders with the sandwich covariance",
  all_rows, paste0("rma(nps, vi, mods = ", mods_text, ", data = s, method = \"REML\", ",
                   "weights = orders, control = list(threshold = 1e-12, maxiter = 1000))"),
  m_w, "weights", str_("orders"))

json <- obj(
  c("dataset", "csv", "r_version", "metafor_version", "number_format", "vi",
    "reml", "fe", "zero", "weighted"),
  c(str_("weekly NPS per region from the cxcase samples, 6 regions x 2024"),
    str_("reml_nps.csv"), str_(R.version.string),
    str_(as.character(packageVersion("metafor"))), str_("sprintf(\"%.17g\")"),
    str_("nps_se^2"), case_reml, case_fe, case_zero, case_w),
  0)
writeLines(json, file.path(outdir, "reml_metafor.json"))
cat("wrote", file.path(outdir, "reml_metafor.json"), if (!is.na(panel)) paste("and", csv_path), "\n")
