//! The vocabularies of money and hours: what can be bought, how it is paid, how minutes move.

use crate::vocabulary;

vocabulary! {
    /// What a client can buy.
    pub enum Product {
        /// 8 hours at the clip-card price.
        ClipCard8h = "clip_card_8h",
        /// One hour.
        SingleHour = "single_hour",
    }
}

impl Product {
    /// The minutes a product gives.
    pub fn minutes(self) -> i32 {
        match self {
            Product::ClipCard8h => 480,
            Product::SingleHour => 60,
        }
    }
}

vocabulary! {
    /// How a purchase was paid (the seam for a payment provider).
    pub enum PaymentMethod {
        /// An invoice sent to the client.
        Invoice = "invoice",
        /// A card payment.
        Card = "card",
        /// MobilePay.
        Mobilepay = "mobilepay",
        /// A bank transfer.
        BankTransfer = "bank_transfer",
        /// Cash at the branch.
        Cash = "cash",
    }
}

vocabulary! {
    /// How minutes move in a client's ledger.
    pub enum LedgerKind {
        /// A clip card bought.
        Purchase = "purchase",
        /// Held by a booking.
        Reserve = "reserve",
        /// Given back (cancelled in time, resized, reviewed down).
        Release = "release",
        /// Used by a visit that happened.
        Consume = "consume",
        /// Used by a late cancellation or a no-show.
        Charge = "charge",
    }
}

vocabulary! {
    /// The language a person reads mail in.
    pub enum MailLanguage {
        /// Danish.
        Danish = "da",
        /// English.
        English = "en",
        /// Norwegian bokmål.
        Bokmal = "nb",
    }
}
