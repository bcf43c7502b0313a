#!/usr/bin/env bash
# Today's date, so goals that recur daily wake the loop once a day.
printf '{"date":"%s"}\n' "$(date +%F)"
