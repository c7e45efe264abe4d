"""The afwegingskader as named, versioned rules: is a conversation or message business, private or party?

Import from the submodules (this package module stays empty so that `core.contacts` can use the
labels without an import cycle):

- `labels`: `Label`, the input facts (`ConversationFacts`, `ParticipantFacts`, `MessageFacts`) and the
  output (`RuleHit`, `ConversationLabel`, `MessageLabel`);
- `phrases`: the phrase lists in `data/*.txt` (a records manager extends them without code);
- `contact_book`: matching participants to the contacts of a custodian or organisation;
- `engine`: `RuleSet` and `classify_conversation()`;
- `adapt`: `facts_from_conversation()` for a parsed `core.model.Conversation`;
- `suggest`: the scikit-learn model trained on reviewers' decisions.
"""
