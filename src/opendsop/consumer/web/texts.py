"""The agency pages' words, bokmål and English (the shared ones are in ``opendsop.web.texts``)."""

from __future__ import annotations

from collections.abc import Mapping

TITLE = {"nb": "Saksbehandling — DSOP", "en": "Case handling — DSOP"}

TEXTS: Mapping[str, Mapping[str, str]] = {
    "nb": {
        "start": "Start sak", "cases": "Saker", "verge_nav": "Vergekontroll", "dodsbo_nav": "Mine dødsbo",
        "welcome": "Velkommen", "may_start": "Du kan starte saker for disse tjenestene:", "no_services":
        "Brukeren din har ingen tjenester. Be en administrator om tilgang.", "recent": "Siste saker",
        "new_case": "Ny sak", "case_number": "Saksnummer (valgfritt)", "party": "Part (fødselsnummer, D-nummer "
        "eller organisasjonsnummer)", "debtor": "Skyldner (organisasjonsnummer eller fødselsnummer)",
        "deceased": "Avdøde (fødselsnummer)", "from_date": "Fra dato", "to_date": "Til dato", "disponent":
        "Ta med kontoer parten disponerer", "eo": "Utleveringspålegg (signert JWS)", "account": "Kontonummer "
        "(valgfritt: spør bare banken som fører kontoen)", "party_hint": "11 eller 9 siffer.", "person_hint":
        "11 siffer.", "eo_hint": "Lim inn pålegget fra påtalemyndigheten.", "account_hint": "11 siffer.",
        "required": "Må fylles ut", "invalid_id": "Ugyldig identifikator", "invalid_date": "Skriv datoen som "
        "ÅÅÅÅ-MM-DD", "refused": "Avvist før noe ble sendt", "submit": "Start saken", "case": "Sak",
        "service": "Tjeneste", "legal_basis": "Rettslig grunnlag", "period": "Periode", "requester":
        "Saksbehandler (RequesterID)", "created": "Opprettet", "banks": "Banker", "bank": "Bank", "state":
        "Status", "reason": "Årsak", "running": "henter …", "ok": "ferdig", "partial": "delvis", "denied":
        "avvist", "error": "feil", "timeout": "tidsavbrudd", "not_finished": "ikke ferdig", "no_api": "uten "
        "API: spør med digitalt brev", "progress_lead": "Sakens banker svarer hver for seg; siden oppdateres "
        "når alle er ferdige.", "refresh": "Oppdater", "accounts": "Kontoer", "account_no": "Kontonummer",
        "balances": "Saldo per bank", "total": "Sum",
        "type": "Type", "currency": "Valuta", "booked": "Bokført saldo", "available": "Disponibel saldo",
        "transactions": "Transaksjoner", "downloads": "Last ned", "resume": "Fortsett saken (spør på nytt "
        "det som mangler)", "search": "Søk", "search_label": "Søk i saksnummer, part eller sak-ID",
        "all_services": "Alle tjenester", "chart_title": "Saldo over tid", "chart_summary": "Saldo fra {start} "
        "til {end}: lavest {low}, høyest {high}, sist {last}.", "date": "Dato", "amount": "Beløp", "text":
        "Tekst", "filter_text": "Tekst inneholder", "balance_chart": "Saldoutvikling", "facts": "Fakta",
        "order": "Pålegg", "verge_title": "Vergekontroll", "verge_lead": "Last opp en CSV-fil med kolonnene "
        "ward, guardian og eventuelt guardian_accounts. Hver rad blir en sak.", "year": "Kontrollår",
        "batch": "Batchfil (CSV)", "run_batch": "Kjør kontrollen", "ward": "Vergehaver", "guardian": "Verge",
        "flags": "Flagg", "no_flags": "Ingen flagg.", "flag_own_account": "Overføring til vergens egen konto",
        "flag_cash": "Kontantuttak", "flag_missing": "Mangler", "detail": "Detalj", "batch_title":
        "Kontrollresultat", "heir_title": "Mine dødsbo", "heir_lead": "Dødsbo der du er registrert som arving.",
        "no_estates": "Du er ikke registrert som arving i noe dødsbo.", "estate": "Dødsbo etter",
        "relation": "Din relasjon", "ektefelle": "ektefelle", "barn": "barn", "fetch_overview": "Hent oversikt "
        "fra bankene", "death_date": "Dødsdato", "at_death": "Saldo på dødsdagen", "now": "Saldo nå",
        "overview_pdf": "Last ned oversikten (PDF)", "settlement": "Skifteform", "settlement_lead": "Velg "
        "hvordan boet skal gjøres opp. Valget registreres for deg som arving.", "privat_skifte": "Privat "
        "skifte", "offentlig_skifte": "Offentlig skifte", "uskifte": "Uskifte (bare gjenlevende ektefelle)",
        "record_choice": "Registrer valget", "choices": "Registrerte valg", "your_choice": "Ditt valg",
        "choice_saved": "Valget er registrert.", "heir": "Arving", "invalid_choice": "Velg en skifteform",
        "uskifte_spouse": "Bare gjenlevende ektefelle kan velge uskifte", "overview_pending": "Oversikten er "
        "ikke hentet ennå.", "police_lead": "Politiet: oppgi parten og lim inn utleveringspålegget. Pålegget "
        "bestemmer hva bankene utleverer.", "case_list_lead": "Sakene du har tilgang til, nyeste først.",
        "innsyn": "Hvem har sett på meg", "more": "Mer",
    },
    "en": {
        "start": "Start case", "cases": "Cases", "verge_nav": "Guardianship control", "dodsbo_nav": "My estates",
        "welcome": "Welcome", "may_start": "You may start cases for these services:", "no_services": "Your user "
        "has no services. Ask an administrator for access.", "recent": "Latest cases", "new_case": "New case",
        "case_number": "Case number (optional)", "party": "Party (national identity number, D-number or "
        "organisation number)", "debtor": "Debtor (organisation number or national identity number)",
        "deceased": "Deceased (national identity number)", "from_date": "From date", "to_date": "To date",
        "disponent": "Include accounts the party disposes over", "eo": "Extradition order (signed JWS)",
        "account": "Account number (optional: ask only the bank servicing it)", "party_hint": "11 or 9 digits.",
        "person_hint": "11 digits.", "eo_hint": "Paste the order from the prosecution.", "account_hint":
        "11 digits.", "required": "Required", "invalid_id": "Invalid identifier", "invalid_date": "Write the "
        "date as YYYY-MM-DD", "refused": "Refused before anything was sent", "submit": "Start the case",
        "case": "Case", "service": "Service", "legal_basis": "Legal basis", "period": "Period", "requester":
        "Case handler (RequesterID)", "created": "Created", "banks": "Banks", "bank": "Bank", "state": "State",
        "reason": "Reason", "running": "fetching …", "ok": "done", "partial": "partial", "denied": "denied",
        "error": "error", "timeout": "timed out", "not_finished": "not finished", "no_api": "no API: ask by "
        "digital letter", "progress_lead": "Each bank of the case answers on its own; the page refreshes when "
        "all are done.", "refresh": "Refresh", "accounts": "Accounts", "account_no": "Account number",
        "balances": "Balance per bank", "total": "Total", "type":
        "Type", "currency": "Currency", "booked": "Booked balance", "available": "Available balance",
        "transactions": "Transactions", "downloads": "Download", "resume": "Resume the case (ask again for "
        "what is missing)", "search": "Search", "search_label": "Search case number, party or case ID",
        "all_services": "All services", "chart_title": "Balance over time", "chart_summary": "Balance from "
        "{start} to {end}: lowest {low}, highest {high}, last {last}.", "date": "Date", "amount": "Amount",
        "text": "Text", "filter_text": "Text contains", "balance_chart": "Balance history", "facts": "Facts",
        "order": "Order", "verge_title": "Guardianship control", "verge_lead": "Upload a CSV file with the "
        "columns ward, guardian and optionally guardian_accounts. Each row becomes a case.", "year":
        "Year controlled", "batch": "Batch file (CSV)", "run_batch": "Run the control", "ward": "Ward",
        "guardian": "Guardian", "flags": "Flags", "no_flags": "No flags.", "flag_own_account": "Transfer to the "
        "guardian's own account", "flag_cash": "Cash withdrawal", "flag_missing": "Missing", "detail": "Detail",
        "batch_title": "Control result", "heir_title": "My estates", "heir_lead": "Estates in which you are "
        "registered as an heir.", "no_estates": "You are not registered as an heir of any estate.", "estate":
        "Estate of", "relation": "Your relation", "ektefelle": "spouse", "barn": "child", "fetch_overview":
        "Fetch the overview from the banks", "death_date": "Date of death", "at_death": "Balance on the day of "
        "death", "now": "Balance now", "overview_pdf": "Download the overview (PDF)", "settlement":
        "Settlement form", "settlement_lead": "Choose how the estate is to be settled. The choice is recorded "
        "for you as an heir.", "privat_skifte": "Private settlement", "offentlig_skifte": "Public settlement",
        "uskifte": "Undivided estate (surviving spouse only)", "record_choice": "Record the choice", "choices":
        "Recorded choices", "your_choice": "Your choice", "choice_saved": "The choice is recorded.", "heir":
        "Heir", "invalid_choice": "Choose a settlement form", "uskifte_spouse": "Only a surviving spouse may "
        "choose an undivided estate", "overview_pending": "The overview has not been fetched yet.",
        "police_lead": "Police: give the party and paste the extradition order. The order decides what the "
        "banks hand over.", "case_list_lead": "The cases you have access to, newest first.", "innsyn":
        "Who looked me up", "more": "More",
    },
}  # fmt: skip
