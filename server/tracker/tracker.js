/* tracker: work in progress */
