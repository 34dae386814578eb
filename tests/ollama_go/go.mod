module tokcheck/ollamago

go 1.19
