module openrouter-keys-mock/contract

go 1.26
