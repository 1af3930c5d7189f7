package model

// The codes of field errors (FieldError.Code). They are part of the API (fields[].code) and
// each has a message in every language (locale keys validation.<code>, tested); a field may
// word a code its own way (validation.<field>.<code>). Add a code here, to Codes, and to the
// locale files; never pass a literal to ValidationError.Add or Invalid.
const (
	// CodeInvalid: the value is not valid, without a more precise reason.
	CodeInvalid = "invalid"
	// CodeRequired: the field is missing or empty.
	CodeRequired = "required"
	// CodeTooLong: the text is longer than {max} characters.
	CodeTooLong = "too_long"
	// CodeTooShort: the text is shorter than {min} characters.
	CodeTooShort = "too_short"
	// CodeLength: each text must have {min} to {max} characters.
	CodeLength = "length"
	// CodeTooMany: more than {max} entries.
	CodeTooMany = "too_many"
	// CodeTooFew: fewer than {min} entries.
	CodeTooFew = "too_few"
	// CodeBadCharacters: control characters or invalid UTF-8 (see TextOK).
	CodeBadCharacters = "bad_characters"
	// CodeNotOneOf: the value is none of {allowed} (comma separated).
	CodeNotOneOf = "not_one_of"
	// CodeUnknown: {values} name nothing known (areas, data categories, roles, states).
	CodeUnknown = "unknown"
	// CodeNotUsable: the id names no record the actor may use here (missing and hidden alike).
	CodeNotUsable = "not_usable"
	// CodeOrgInactive: the organisation is not (or no longer) active.
	CodeOrgInactive = "org_inactive"
	// CodeFormat: the value has the wrong format (a pattern, a date, a number).
	CodeFormat = "format"
	// CodeWrongType: the JSON value has the wrong {type}.
	CodeWrongType = "wrong_type"
	// CodeNotEmail: not an e-mail address.
	CodeNotEmail = "not_email"
	// CodeLanguageCode: {value} is no ISO 639 language code.
	CodeLanguageCode = "language_code"
	// CodeDateRange: the date must lie between {from} and today.
	CodeDateRange = "date_range"
	// CodeBefore: the date lies before the date in field {other}.
	CodeBefore = "before"
	// CodeTooFarPast: the date lies more than {years} years in the past.
	CodeTooFarPast = "too_far_past"
	// CodeTooFarAhead: the date lies more than {years} years ahead (of {other}, if given).
	CodeTooFarAhead = "too_far_ahead"
	// CodeOutOfRange: the number must lie between {min} and {max}.
	CodeOutOfRange = "out_of_range"
	// CodeBelowMinimum: the number must be at least {min}.
	CodeBelowMinimum = "below_minimum"
	// CodeAboveMaximum: the number must be at most {max}.
	CodeAboveMaximum = "above_maximum"
	// CodeNameTaken: another record has this name already.
	CodeNameTaken = "name_taken"
	// CodeAccountExists: an account with this sign-in or e-mail exists already.
	CodeAccountExists = "account_exists"
	// CodeNoAccount: no account with this e-mail address that the actor manages.
	CodeNoAccount = "no_account"
	// CodeParentCycle: an organisation would be its own parent or ancestor.
	CodeParentCycle = "parent_cycle"
	// CodeNotMember: the person is not an (active) member of the organisation in question.
	CodeNotMember = "not_member"
	// CodePartnerOnly: only a partner organisation may have this setting.
	CodePartnerOnly = "partner_only"
	// CodeRequires: the field needs field {other} too.
	CodeRequires = "requires"
	// CodeExclusive: the field cannot be combined with field {other} (or with itself, set and cleared).
	CodeExclusive = "exclusive"
	// CodeNotApplicable: the field has no meaning in the record's state (a reason of an open case).
	CodeNotApplicable = "not_applicable"
	// CodeNothingChanged: the change changes nothing.
	CodeNothingChanged = "nothing_changed"
	// CodeNoLetters: a search without letters or digits.
	CodeNoLetters = "no_letters"
	// CodeBadCursor: the cursor belongs to no position of this list.
	CodeBadCursor = "bad_cursor"
	// CodeTooManyResults: {total} records match, at most {max} may be exported.
	CodeTooManyResults = "too_many_results"
	// CodeConsentNotCovering: the consent does not cover the recipient, the areas and today.
	CodeConsentNotCovering = "consent_not_covering"
	// CodeCoverRequired: a referral needs a covering consent or a legal basis.
	CodeCoverRequired = "cover_required"
	// CodeReferSelf: a referral goes to another organisation than the sender.
	CodeReferSelf = "refer_self"
	// CodeNotReferred: the area is none of {areas} referred to the actor's organisation.
	CodeNotReferred = "not_referred"
	// CodeCaseClosed: the case is closed.
	CodeCaseClosed = "case_closed"
	// CodeNotYourOrg: the organisation is not the actor's own (or one it may act for).
	CodeNotYourOrg = "not_your_org"
	// CodeWrongCase: the record belongs to another case than the one named.
	CodeWrongCase = "wrong_case"
	// CodeUnknownProperty: the API request names a property its description does not know.
	CodeUnknownProperty = "unknown_property"
	// CodeNotJSON: the body is not valid JSON.
	CodeNotJSON = "not_json"
	// CodeTrailingData: the body has more data after the JSON value.
	CodeTrailingData = "trailing_data"
	// CodeDuplicate: the JSON object names a property more than once.
	CodeDuplicate = "duplicate"
	// CodeMediaType: the body must be {type}.
	CodeMediaType = "media_type"
	// CodeNotNull: the value must not be null.
	CodeNotNull = "not_null"
	// CodeUnreadable: the request or body could not be read, or matches not the API description.
	CodeUnreadable = "unreadable"
	// CodeVersionMissing: the form or request lacks the record's version (If-Match).
	CodeVersionMissing = "version_missing"
	// CodeMainPerson: the main person of a case cannot be removed (mark another one first).
	CodeMainPerson = "main_person"
	// CodeNamedByConsent: a consent names the person, so the person stays on the case.
	CodeNamedByConsent = "named_by_consent"
	// CodeHandoverPending: the case already waits for another organisation to take it over.
	CodeHandoverPending = "handover_pending"
	// CodePast: the date lies before today.
	CodePast = "past"
	// CodeNotConfirmed: a subject access request waits for the confirmation of a lead
	// organisation; nothing is exported before every one has confirmed.
	CodeNotConfirmed = "not_confirmed"
)

// Codes lists every field error code, for the test that each has a message in every language.
var Codes = []string{
	CodeInvalid, CodeRequired, CodeTooLong, CodeTooShort, CodeLength, CodeTooMany, CodeTooFew, CodeBadCharacters,
	CodeNotOneOf, CodeUnknown, CodeNotUsable, CodeOrgInactive, CodeFormat, CodeWrongType, CodeNotEmail,
	CodeLanguageCode, CodeDateRange, CodeBefore, CodeTooFarPast, CodeTooFarAhead, CodeOutOfRange, CodeBelowMinimum, CodeAboveMaximum, CodeNameTaken,
	CodeAccountExists, CodeNoAccount, CodeParentCycle, CodeNotMember, CodePartnerOnly, CodeRequires, CodeExclusive,
	CodeNotApplicable, CodeNothingChanged, CodeNoLetters, CodeBadCursor, CodeTooManyResults, CodeConsentNotCovering,
	CodeCoverRequired, CodeReferSelf, CodeNotReferred, CodeCaseClosed, CodeNotYourOrg, CodeWrongCase,
	CodeUnknownProperty, CodeNotJSON, CodeTrailingData, CodeDuplicate, CodeMediaType, CodeNotNull, CodeUnreadable,
	CodeVersionMissing, CodeMainPerson, CodeNamedByConsent, CodeHandoverPending, CodePast,
	CodeNotConfirmed,
}

// CodeTransitionRefused is the API code of a refused change of state (TransitionError).
const CodeTransitionRefused = "transition_refused"
