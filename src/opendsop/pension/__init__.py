"""A pension institution keeping its customers' mandatory occupational pension schemes (OTP) up to date from the
a-ordning: Skatteetaten's Tjenestepensjonsavtale, Inntektsmottakere and Inntekt APIs and NAV's Aa-registeret OTP API
(DSOP "Ajourhold av OTP").  A party: it imports only the base layers."""
