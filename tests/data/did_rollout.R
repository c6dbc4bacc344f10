# did_rollout.R -- R reference for cxcase's difference-in-differences estimate
# of an initiative's realised effect (src/review/did.c).
#
# Re-run from the repository root with:
#     Rscript tests/data/did_rollout.R
# (Debian: r-base-core r-cran-sandwich.)  It (re)writes
#     tests/data/did_rollout.csv   -- a staggered rollout: 10 regions, quarters 2023Q1..2025Q4;
#                                     6 regions go live in quarters 5..10 (ramp of 2 quarters),
#                                     4 are never reached; columns period, unit, exposure, y
#     tests/data/did_rollout.json  -- the estimate and its clustered standard error, "%.17g"
#
# Model: lm(y ~ exposure + factor(unit) + factor(period)); covariance
# sandwich::vcovCL(m, cluster = ~ unit, type = "HC1") (cadjust = TRUE):
# G/(G-1) * (n-1)/(n-k) * B (sum_g u_g u_g') B, G = 10 clusters.
# The true effect is -0.36 (60% of a planned -0.6); noise AR(1) within region, rho 0.5.
args <- commandArgs(trailingOnly = TRUE)
dir <- if (length(args) >= 1) args[1] else "tests/data"
suppressPackageStartupMessages(library(sandwich))
set.seed(20261206)
units <- c("Groningen", "Friesland", "Drenthe", "Overijssel", "Flevoland",
           "Gelderland", "Utrecht", "Zeeland", "Limburg", "Brabant")
quarters <- sprintf("%dQ%d", rep(2023:2025, each = 4), rep(1:4, 3))
golive <- c(5, 6, 7, 8, 9, 10, NA, NA, NA, NA)
rows <- list()
for (u in seq_along(units)) {
  a <- rnorm(1, 3, 0.4)
  e <- 0
  for (q in seq_along(quarters)) {
    e <- 0.5 * e + rnorm(1, 0, 0.08)
    x <- if (is.na(golive[u]) || q < golive[u]) 0 else min(1, (q - golive[u] + 1) / 2)
    y <- a + 0.05 * sin(q) + 0.02 * q - 0.36 * x + e
    rows[[length(rows) + 1]] <- data.frame(period = quarters[q], unit = units[u],
                                           exposure = x, y = round(y, 6))
  }
}
d <- do.call(rbind, rows)
write.csv(d, file.path(dir, "did_rollout.csv"), row.names = FALSE, quote = FALSE)
d <- read.csv(file.path(dir, "did_rollout.csv"))
m <- lm(y ~ exposure + factor(unit) + factor(period), data = d)
v <- vcovCL(m, cluster = ~ unit, type = "HC1")
f <- function(x) sprintf("%.17g", x)
json <- paste0("{\n  \"call\": \"lm(y ~ exposure + factor(unit) + factor(period)); vcovCL(m, cluster = ~ unit, type = \\\"HC1\\\")\",\n",
               "  \"n\": ", nrow(d), ",\n  \"clusters\": ", length(units), ",\n",
               "  \"tau\": ", f(coef(m)[["exposure"]]), ",\n",
               "  \"se\": ", f(sqrt(v["exposure", "exposure"])), ",\n",
               "  \"R\": \"", R.version.string, "\",\n  \"sandwich\": \"", packageVersion("sandwich"), "\"\n}\n")
writeLines(json, file.path(dir, "did_rollout.json"), sep = "")
