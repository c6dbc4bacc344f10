# glm_binomial.R -- R reference values for cxcase's logistic regression
# (src/customer/logistic.c, tests/unit/test_customer.c).
#
# Re-run from the repository root with:
#     Rscript tests/data/glm_binomial.R
# (Debian: r-base-core; base R only.)  It (re)writes
#     tests/data/mtcars.csv        -- R's datasets::mtcars (Motor Trend 1974), 32 cars
#     tests/data/infert.csv        -- R's datasets::infert (Trichopoulos et al. 1976), 248 women
#     tests/data/glm_binomial.json -- summary(glm(family = binomial)) of two fits, "%.17g"
#
# The fits:
#   mtcars: am ~ hp + wt
#   infert: case ~ C(education) + spontaneous + induced + age + age:parity
#           (a factor with three levels and an interaction of two numbers; the
#           levels in byte order, as cxcase orders them: "0-5yrs" is the baseline)
# Both are fitted to convergence (glm.control(epsilon = 1e-15, maxit = 100)):
# R's default epsilon 1e-8 stops before the coefficients agree to 1e-8.
# R computes the covariance from the weights of the iteration before the last,
# which at epsilon 1e-15 still differ from the converged ones by about 1e-7
# in the coefficients; so each fit is run once more from its own converged
# estimate (start = coef(m)), whose covariance is then that at the estimate.
# Intervals are Wald intervals (confint.default).
args <- commandArgs(trailingOnly = TRUE)
dir <- if (length(args) >= 1) args[1] else "tests/data"
ctl <- glm.control(epsilon = 1e-15, maxit = 100)

write.csv(mtcars[, c("am", "hp", "wt")], file.path(dir, "mtcars.csv"), row.names = FALSE)
inf <- infert[, c("case", "education", "spontaneous", "induced", "age", "parity")]
inf$education <- as.character(inf$education)
write.csv(inf, file.path(dir, "infert.csv"), row.names = FALSE)
inf$education <- factor(inf$education, levels = c("0-5yrs", "12+ yrs", "6-11yrs"))

num <- function(x) sprintf("%.17g", x)
vec <- function(x) paste0("[", paste(num(x), collapse = ", "), "]")
strs <- function(x) paste0("[", paste0('"', x, '"', collapse = ", "), "]")
one <- function(name, m, names) {
  s <- summary(m)
  co <- s$coefficients
  ci <- confint.default(m)
  paste0('  "', name, '": {\n',
         '    "names": ', strs(names), ',\n',
         '    "coef": ', vec(co[, 1]), ',\n',
         '    "se": ', vec(co[, 2]), ',\n',
         '    "z": ', vec(co[, 3]), ',\n',
         '    "p": ', vec(co[, 4]), ',\n',
         '    "ci_low": ', vec(ci[, 1]), ',\n',
         '    "ci_high": ', vec(ci[, 2]), ',\n',
         '    "deviance": ', num(m$deviance), ',\n',
         '    "null_deviance": ', num(m$null.deviance), ',\n',
         '    "df_residual": ', m$df.residual, ',\n',
         '    "df_null": ', m$df.null, ',\n',
         '    "aic": ', num(m$aic), '\n  }')
}
f1 <- am ~ hp + wt
f2 <- case ~ education + spontaneous + induced + age + age:parity
m1 <- glm(f1, family = binomial, data = mtcars, control = ctl)
m1 <- glm(f1, family = binomial, data = mtcars, control = ctl, start = coef(m1))
m2 <- glm(f2, family = binomial, data = inf, control = ctl)
m2 <- glm(f2, family = binomial, data = inf, control = ctl, start = coef(m2))
out <- paste0("{\n  \"r_version\": \"", R.version.string, "\",\n",
              one("mtcars", m1, c("(Intercept)", "hp", "wt")), ",\n",
              one("infert", m2, c("(Intercept)", "C(education)[12+ yrs]", "C(education)[6-11yrs]",
                                  "spontaneous", "induced", "age", "age:parity")),
              "\n}\n")
writeLines(out, file.path(dir, "glm_binomial.json"), sep = "")
