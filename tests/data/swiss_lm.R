# swiss_lm.R -- R reference values for cxcase's regression inference tests.
#
# Re-run from the repository root with:
#     Rscript tests/data/swiss_lm.R
# (Debian: apt-get install -y --no-install-recommends r-base-core; base R only,
#  no CRAN packages needed.)  It (re)writes
#     tests/data/swiss.csv      -- R's built-in datasets::swiss, 47 Swiss provinces (1888)
#     tests/data/swiss_lm.json  -- summary(lm(...)) and diagnostics, all numbers "%.17g"
# Output directory can be overridden: Rscript tests/data/swiss_lm.R /some/dir
#
# Generated with R 4.2.2 (Debian bookworm r-base-core).
#
# Definitions used for the diagnostics (so a C implementation can match them):
#   durbin_watson  = sum(diff(e)^2) / sum(e^2), residuals e in data (row) order
#   bp_koenker     = n * R^2 of the auxiliary OLS  e^2 ~ 1 + predictors   (centred R^2)
#   bp_original    = ESS/2 of the auxiliary OLS  g ~ 1 + predictors,  g = e^2/(RSS/n),
#                    ESS = sum((ghat - mean(g))^2)
#                    Both use chi-square p-values with df = number of predictors (no
#                    intercept counted).  The auxiliary regression ALWAYS has a constant,
#                    also for the no-intercept model (textbook Breusch-Pagan / Koenker).
#                    For a model with intercept these equal lmtest::bptest(m) and
#                    lmtest::bptest(m, studentize = FALSE).
#   jarque_bera    = n/6 * (S^2 + (K-3)^2/4), S = m3/m2^1.5, K = m4/m2^2, with central
#                    population moments m_k = mean((e - mean(e))^k); p = chi2(2) upper tail
#   vif[j]         = 1/(1 - R_j^2), R_j^2 = centred R^2 of  x_j ~ 1 + other predictors
#   vif_uncentered = (no-intercept model only) 1/(1 - R0_j^2), R0_j^2 = uncentred R^2 of
#                    x_j ~ 0 + other predictors
#   r2 / adj_r2 / f: exactly summary.lm(); for the no-intercept model R uses the
#                    uncentred R^2 = 1 - RSS/sum(y^2) and F on (p, n-p) df.
#   loglik / aic / bic: logLik(), AIC(), BIC() (parameter count includes sigma).
#   Weighted fit: lm(..., weights = 1/infant_mortality); sigma is the weighted residual
#   standard error sqrt(sum(w*e^2)/df), r2 is summary.lm's weighted R^2.

args <- commandArgs(trailingOnly = TRUE)
outdir <- if (length(args) >= 1) args[1] else file.path("tests", "data")

## ---------------------------------------------------------------- data
d <- datasets::swiss
swiss2 <- data.frame(
  province         = rownames(d),
  fertility        = d$Fertility,
  agriculture      = d$Agriculture,
  examination      = d$Examination,
  education        = d$Education,
  catholic         = d$Catholic,
  infant_mortality = d$Infant.Mortality,
  stringsAsFactors = FALSE
)
stopifnot(nrow(swiss2) == 47L, !any(grepl("[\",\n]", swiss2$province)))

fmt15 <- function(x) vapply(x, function(v) format(v, digits = 15), "")
csv_lines <- c(paste(names(swiss2), collapse = ","),
               apply(cbind(swiss2$province,
                           vapply(swiss2[, -1], fmt15, character(47))),
                     1, paste, collapse = ","))
csv_path <- file.path(outdir, "swiss.csv")
writeLines(csv_lines, csv_path)

# Fit from the CSV we just wrote, so the JSON describes exactly the file's numbers.
sw <- read.csv(csv_path, stringsAsFactors = FALSE)
stopifnot(isTRUE(all.equal(sw[, -1], swiss2[, -1], tolerance = 0)),
          identical(sw$province, swiss2$province))

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

## ---------------------------------------------------------------- diagnostics
predictors_of <- function(m) setdiff(colnames(model.matrix(m)), "(Intercept)")

bp_tests <- function(m) {
  e <- residuals(m); n <- length(e)
  P <- model.matrix(m)[, predictors_of(m), drop = FALSE]
  k <- ncol(P)
  e2 <- e^2
  aux <- lm(e2 ~ P)
  koenker <- n * summary(aux)$r.squared
  g <- e2 / (sum(e2) / n)
  auxg <- lm(g ~ P)
  original <- sum((fitted(auxg) - mean(g))^2) / 2
  list(bp_koenker = koenker, bp_koenker_df = k,
       bp_koenker_p = pchisq(koenker, k, lower.tail = FALSE),
       bp_original = original, bp_original_df = k,
       bp_original_p = pchisq(original, k, lower.tail = FALSE))
}

jb_test <- function(e) {
  n <- length(e); ce <- e - mean(e)
  m2 <- mean(ce^2); m3 <- mean(ce^3); m4 <- mean(ce^4)
  S <- m3 / m2^1.5; K <- m4 / m2^2
  jb <- n / 6 * (S^2 + (K - 3)^2 / 4)
  list(jb_skewness = S, jb_kurtosis = K, jarque_bera = jb,
       jarque_bera_p = pchisq(jb, 2, lower.tail = FALSE))
}

vif_of <- function(m, centered = TRUE) {
  P <- model.matrix(m)[, predictors_of(m), drop = FALSE]
  out <- numeric(ncol(P)); names(out) <- colnames(P)
  for (j in seq_len(ncol(P))) {
    others <- P[, -j, drop = FALSE]
    r2 <- if (centered) summary(lm(P[, j] ~ others))$r.squared
          else summary(lm(P[, j] ~ 0 + others))$r.squared
    out[j] <- 1 / (1 - r2)
  }
  out
}

## ---------------------------------------------------------------- model -> JSON
model_json <- function(m, label, indent = 2, diagnostics = TRUE, noint = FALSE) {
  s  <- summary(m)
  ct <- coef(s)
  ci <- confint(m, level = 0.95)
  fs <- s$fstatistic
  e  <- residuals(m)
  pad <- strrep(" ", indent + 4)
  terms <- vapply(rownames(ct), function(nm)
    obj(c("name", "coef", "se", "t", "p", "ci_low", "ci_high"),
        c(str_(nm), num(ct[nm, 1]), num(ct[nm, 2]), num(ct[nm, 3]), num(ct[nm, 4]),
          num(ci[nm, 1]), num(ci[nm, 2])), indent + 4), "")
  V <- vcov(m)
  vc <- obj(c("names", "matrix"),
            c(sarr(colnames(V)),
              paste0("[\n", paste0(pad, "  ", apply(V, 1, arr), collapse = ",\n"),
                     "\n", pad, "]")), indent + 2)
  keys <- c("label", "formula", "intercept", "weights", "n", "terms",
            "sigma", "r2", "adj_r2", "f", "f_df1", "f_df2", "f_p", "df_resid",
            "rss", "loglik", "aic", "bic", "vcov")
  vals <- c(str_(label), str_(gsub("\\s+", " ", paste(deparse(formula(m), width.cutoff = 500L), collapse = " "))),
            if (noint) "false" else "true",
            if (is.null(m$weights)) "null" else str_("1/infant_mortality"),
            num(length(e)),
            paste0("[\n", paste0(strrep(" ", indent + 4), terms, collapse = ",\n"),
                   "\n", strrep(" ", indent + 2), "]"),
            num(s$sigma), num(s$r.squared), num(s$adj.r.squared),
            num(fs[["value"]]), num(fs[["numdf"]]), num(fs[["dendf"]]),
            num(pf(fs[["value"]], fs[["numdf"]], fs[["dendf"]], lower.tail = FALSE)),
            num(df.residual(m)),
            num(if (is.null(m$weights)) sum(e^2) else sum(m$weights * e^2)),
            num(as.numeric(logLik(m))), num(AIC(m)), num(BIC(m)), vc)
  if (diagnostics) {
    bp <- bp_tests(m); jb <- jb_test(e); v <- vif_of(m, TRUE)
    keys <- c(keys, "durbin_watson", names(bp), names(jb), "vif")
    vals <- c(vals, num(sum(diff(e)^2) / sum(e^2)),
              vapply(bp, num, ""), vapply(jb, num, ""),
              obj(names(v), num(v), indent + 2))
    if (noint) {
      vu <- vif_of(m, FALSE)
      keys <- c(keys, "vif_uncentered"); vals <- c(vals, obj(names(vu), num(vu), indent + 2))
    }
  }
  keys <- c(keys, "residuals"); vals <- c(vals, arr(unname(e)))
  obj(keys, vals, indent)
}

f_full  <- fertility ~ agriculture + examination + education + catholic + infant_mortality
m_ols   <- lm(f_full, data = sw)
m_noint <- lm(fertility ~ 0 + agriculture + education, data = sw)
m_wls   <- lm(f_full, data = sw, weights = 1 / infant_mortality)

json <- obj(
  c("dataset", "source", "csv", "r_version", "number_format", "ols", "ols_noint", "wls"),
  c(str_("swiss"),
    str_("R datasets::swiss (Swiss fertility and socioeconomic indicators, 1888); province = row name"),
    str_("swiss.csv"),
    str_(R.version.string),
    str_("sprintf(\"%.17g\")"),
    model_json(m_ols,   "ols",       2, TRUE,  FALSE),
    model_json(m_noint, "ols_noint", 2, TRUE,  TRUE),
    model_json(m_wls,   "wls",       2, FALSE, FALSE)),
  0)
writeLines(json, file.path(outdir, "swiss_lm.json"))
cat("wrote", csv_path, "and", file.path(outdir, "swiss_lm.json"), "\n")
