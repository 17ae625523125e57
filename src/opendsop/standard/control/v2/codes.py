"""ISO 20022 Bank Transaction Codes of the Control API v2: ``transactionCode`` domain/family/subFamily.

The three enums are copied from Bank_v2.yaml (``DomainType`` 7, ``FamilyType`` 25,
``SubFamilyType`` 58 values; DSOP “Data model” "BankTransactionCode").  The contract lists
them flat: it does not say which sub-family belongs to which family, so neither does this module.
Values are unchanged from v1.
"""

from __future__ import annotations

from enum import StrEnum


class DomainType(StrEnum):
    ACCOUNT_MANAGEMENT = "accountManagement"
    CASH_MANAGEMENT = "cashManagement"
    FOREIGN_EXCHANGE = "foreignExchange"
    PAYMENTS = "payments"
    SECURITIES = "securities"
    TRADE_SERVICES = "tradeServices"
    EXTENDED = "extended"


class FamilyType(StrEnum):
    ADDITIONAL_MISCELLANEOUS_CREDIT_OPERATIONS = "additionalMiscellaneousCreditOperations"
    ADDITIONAL_MISCELLANEOUS_DEBIT_OPERATIONS = "additionalMiscellaneousDebitOperations"
    MISCELLANEOUS_CREDIT_OPERATIONS = "miscellaneousCreditOperations"
    MISCELLANEOUS_DEBIT_OPERATIONS = "miscellaneousDebitOperations"
    OPENING_AND_CLOSING = "openingAndClosing"
    ACCOUNT_BALANCING = "accountBalancing"
    CASH_POOLING = "cashPooling"
    NOT_AVAILABLE = "notAvailable"
    CUSTOMER_CARD_TRANSACTIONS = "customerCardTransactions"
    COUNTER_TRANSACTIONS = "counterTransactions"
    DRAFTS = "drafts"
    ISSUED_CASH_CONCENTRATION_TRANSACTIONS = "issuedCashConcentrationTransactions"
    ISSUED_CREDIT_TRANSFERS = "issuedCreditTransfers"
    ISSUED_CHEQUES = "issuedCheques"
    ISSUED_DIRECT_DEBITS = "issuedDirectDebits"
    LOCKBOX_TRANSACTIONS = "lockboxTransactions"
    MERCHANT_CARD_TRANSACTIONS = "merchantCardTransactions"
    OTHER = "other"
    RECEIVED_CASH_CONCENTRATION_TRANSACTIONS = "receivedCashConcentrationTransactions"
    RECEIVED_CREDIT_TRANSFERS = "receivedCreditTransfers"
    RECEIVED_CHEQUES = "receivedCheques"
    RECEIVED_DIRECT_DEBITS = "receivedDirectDebits"
    CORPORATE_ACTION = "corporateAction"
    DOCUMENTARY_COLLECTION = "documentaryCollection"
    STAND_BY_LETTER_OF_CREDIT = "standByLetterOfCredit"


class SubFamilyType(StrEnum):
    VALUE_DATE = "valueDate"
    CHARGES_GENERIC = "chargesGeneric"
    COMMISSIONS = "commissions"
    INTERESTS_GENERIC = "interestsGeneric"
    OTHER = "other"
    ACCOUNT_CLOSING = "accountClosing"
    NOT_AVAILABLE = "notAvailable"
    SWEEPING = "sweeping"
    TOPPING = "topping"
    ZERO_BALANCING = "zeroBalancing"
    CASH_WITHDRAWAL = "cashWithdrawal"
    DEBIT_CARD_PAYMENT = "debitCardPayment"
    CROSS_BORDER_CASH_WITHDRAWAL = "crossBorderCashWithdrawal"
    CASH_DEPOSIT = "cashDeposit"
    DEBIT_ADJUSTMENT_GENERIC = "debitAdjustmentGeneric"
    TRAVELLERS_CHEQUES_DEPOSIT = "travellersChequesDeposit"
    SETTLEMENT_AT_MATURITY = "settlementAtMaturity"
    INTRA_COMPANY_TRANSFER = "intraCompanyTransfer"
    CORPORATE_OWN_ACCOUNT_TRANSFER = "corporateOwnAccountTransfer"
    CROSS_BORDER_INTRA_COMPANY_TRANSFER = "crossBorderIntraCompanyTransfer"
    ACH_DEBIT = "achDebit"
    ACH_RETURN = "achReturn"
    ACH_TRANSACTION_ATXN = "achTransactionAtxn"
    AUTOMATIC_TRANSFER = "automaticTransfer"
    BANK_CHEQUE = "bankCheque"
    BOOKED = "booked"
    DOMESTIC_CREDIT_TRANSFER = "domesticCreditTransfer"
    DIVIDEND = "dividend"
    SEPA_CREDIT_TRANSFER = "sepaCreditTransfer"
    FINANCIAL_INSTITUTION_CREDIT_TRANSFER = "financialInstitutionCreditTransfer"
    PRINCIPAL_PAYMENT = "principalPayment"
    PRIORITY_CREDIT_TRANSFER = "priorityCreditTransfer"
    REVERSAL_DUE_TO_PAYMENT_RETURN = "reversalDueToPaymentReturn"
    ACH_TRANSACTION_SALA = "achTransactionSala"
    SAME_DAY_VALUE_CREDIT_TRANSFER = "sameDayValueCreditTransfer"
    STANDING_ORDER = "standingOrder"
    TAXES = "taxes"
    CREDIT_TRANSFER_WITH_AGREED_COMMERCIAL_INFORMATION = "creditTransferWithAgreedCommercialInformation"
    CROSS_BORDER_CREDIT_TRANSFER = "crossBorderCreditTransfer"
    CASH_LETTER = "cashLetter"
    CHEQUES = "cheques"
    CHEQUES_REVERSAL = "chequesReversal"
    OPEN_CHEQUE = "openCheque"
    UNPAID_CHEQUE = "unpaidCheque"
    CROSS_BORDER_CHEQUE = "crossBorderCheque"
    SEPA_CORE_DIRECT_DEBIT = "sepaCoreDirectDebit"
    DIRECT_DEBIT_PAYMENT = "directDebitPayment"
    REVERSAL_DUE_TO_PAYMENT = "reversalDueToPayment"
    REVERSAL_DUE_TO_PAYMENT_CANCELLATION_REQUEST = "reversalDueToPaymentCancellationRequest"
    REVERSAL_DUE_TO_RETURN_UNPAID_DIRECT_DEBIT = "reversalDueToReturnUnpaidDirectDebit"
    DEBIT = "debit"
    DEPOSIT = "deposit"
    ADJUSTMENTS = "adjustments"
    FEES = "fees"
    CREDIT_CARD_PAYMENT = "creditCardPayment"
    POINT_OF_SALE_POS_PAYMENT = "pointOfSalePosPayment"
    CREDIT_ADJUSTMENT = "creditAdjustment"
    SETTLEMENT_AFTER_COLLECTION = "settlementAfterCollection"


__all__ = ["DomainType", "FamilyType", "SubFamilyType"]
